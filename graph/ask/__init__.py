"""Questions in plain English, read through the ontology's phrasings and answered from the store."""

from graph.ask.answer import answer, ask
from graph.ask.model import Answer, AnswerEntity, AnswerPath, AskQuery
from graph.ask.parse import Parsed, parse

__all__ = ["Answer", "AnswerEntity", "AnswerPath", "AskQuery", "Parsed", "answer", "ask", "parse"]
