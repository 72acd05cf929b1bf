"""Questions in plain English: read through the extractor's parse into a structured query, answered from the store."""

from graph.domain.inputs import check_question
from graph.language.ask.answer import run
from graph.language.ask.model import (
    Answer,
    AnswerCasualties,
    AnswerCount,
    AnswerEntity,
    AnswerPath,
    AskQuery,
    Mention,
    Reading,
)
from graph.language.ask.parse import QuestionReader, Read, load_reader
from graph.stores.protocol import GraphStore


def ask(store: GraphStore, reader: QuestionReader, question: str) -> Answer:
    """Read a question and answer it from the store; a question no reader should see (blank, too long, with
    control characters, markup or a lone surrogate) is refused first, naming why."""
    read = reader.read(check_question(question))
    return run(store, reader.ontology, read.query, question=question, reading=read.reading)


__all__ = ["Answer", "AnswerCasualties", "AnswerCount", "AnswerEntity", "AnswerPath", "AskQuery", "Mention",
           "QuestionReader", "Read", "Reading", "ask", "load_reader", "run"]
