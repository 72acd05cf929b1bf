# The API image docker-compose.yml builds: the project installed from this repository.
# The web explorer's browser library (Cytoscape.js) comes from the npm registry, installed
# by `npm ci` from the committed lockfile in a Node stage; only node_modules is carried over.
FROM node:20-slim AS web
WORKDIR /srv/kg
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim
WORKDIR /srv/kg
COPY pyproject.toml README.md ./
COPY app ./app
COPY graph ./graph
COPY cypher ./cypher
COPY seeds ./seeds
COPY --from=web /srv/kg/node_modules ./node_modules
# Editable, like the README's commands: the named Cypher in cypher/ and the explorer in app/web are read from the tree.
RUN pip install --no-cache-dir -e .
EXPOSE 8000
CMD ["sh", "-c", "kg load && kg serve --host 0.0.0.0"]
