# syntax=docker/dockerfile:1
# Build stage: resolve the locked dependencies into a virtualenv with uv.
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv
WORKDIR /srv
COPY pyproject.toml uv.lock README.md LICENSE ./
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
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('ADVISOR_PORT', '8000'), timeout=2)"]
# `serve` migrates, loads the bundled knowledge base and serves on ADVISOR_HOST:ADVISOR_PORT.
# Set DATABASE_URL; without it the container starts its own embedded PostgreSQL in
# /home/advisor/.local/share/framework-advisor (gone with the container unless that is a volume).
CMD ["framework-advisor", "serve"]
