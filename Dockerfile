# The API image docker-compose.yml builds: the project installed from this repository.
FROM python:3.11-slim
WORKDIR /srv/kg
COPY pyproject.toml README.md ./
COPY app ./app
COPY graph ./graph
COPY cypher ./cypher
COPY seeds ./seeds
# Editable, like the README's commands: the named Cypher in cypher/ is read from the tree.
RUN pip install --no-cache-dir -e .
EXPOSE 8000
CMD ["sh", "-c", "kg load && kg serve --host 0.0.0.0"]
