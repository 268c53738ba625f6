# syntax=docker/dockerfile:1
# Build stage: resolve the locked dependencies into a virtualenv with uv.
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv
WORKDIR /srv
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
RUN uv sync --locked --no-dev

# Runtime stage: just the virtualenv and the code, as a non-root user.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 advisor
WORKDIR /srv
COPY --from=build --chown=advisor:advisor /srv /srv
ENV PATH="/srv/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    ADVISOR_HOST=0.0.0.0 \
    ADVISOR_PORT=8000
USER advisor
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# `serve`: wait for the database, migrate, load the bundled knowledge base, then serve with the
# same limits and timeouts as anywhere else (app/serving.py), never bare uvicorn. Set DATABASE_URL;
# without it the container would start its own embedded PostgreSQL in the container's home.
CMD ["framework-advisor", "serve"]
