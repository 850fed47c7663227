# syntax=docker/dockerfile:1

# Build stage: the Go toolchain never reaches the runtime image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Dependencies first, so editing code does not invalidate the module cache layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: a static binary that does not depend on the runtime image's libc.
# Data files are embedded in the binary, so nothing else is copied across.
RUN CGO_ENABLED=0 go build -trimpath -o /out/contextmap ./cmd/contextmap

FROM debian:bookworm-slim
# ca-certificates: outbound TLS (tile servers, a managed PostgreSQL with sslmode=verify-full).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin contextmap
COPY --from=build /out/contextmap /usr/local/bin/contextmap
USER contextmap:contextmap
# Inside a container the service must listen on every interface (the
# binary's own default is loopback only).
ENV CONTEXTMAP_LISTEN=:8080
EXPOSE 8080
# The binary checks itself (GET http://127.0.0.1:8080/readyz), so the slim
# image needs no curl or wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/contextmap", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/contextmap"]
CMD ["serve"]
