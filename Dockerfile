# syntax=docker/dockerfile:1
# Stage 1: build the PWA.
FROM node:20-bookworm-slim AS pwa
WORKDIR /build/pwa
COPY pwa/package.json pwa/package-lock.json ./
RUN npm ci --no-audit --no-fund
# Only the sources: a host's node_modules/ or dist/ must not leak into the image.
COPY pwa/index.html pwa/vite.config.ts pwa/tsconfig.json pwa/vitest.config.ts ./
COPY pwa/src/ ./src/
COPY pwa/public/ ./public/
COPY pwa/scripts/ ./scripts/
COPY survey_forms/ /build/survey_forms/
RUN npm run build

# Stage 2: install the Python package into a virtualenv.
FROM python:3.11-slim-bookworm AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
RUN python -m venv /opt/verval
COPY pyproject.toml README.md ./
COPY api/ api/
COPY auth/ auth/
COPY survey_forms/ survey_forms/
COPY media/ media/
RUN /opt/verval/bin/pip install .

# Stage 3: a slim, non-root runtime.
FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --home /srv/verval verval \
    && mkdir -p /srv/verval/var && chown verval /srv/verval/var
COPY --from=python /opt/verval /opt/verval
COPY --from=pwa /build/pwa/dist /srv/verval/pwa/dist
WORKDIR /srv/verval
ENV PATH=/opt/verval/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    VERVAL_HOST=0.0.0.0 \
    VERVAL_PORT=8000 \
    VERVAL_VAR_DIR=/srv/verval/var \
    VERVAL_PWA_DIST=/srv/verval/pwa/dist
USER verval
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["verval", "serve"]
