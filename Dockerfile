# Multi-stage build: compile in the Rust image, run from a slim Debian with
# only the binary. The health check is the binary's own `healthcheck`
# subcommand, so the image needs no curl or wget.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY scenarios ./scenarios
COPY tests ./tests
RUN cargo build --release --locked --bin okx-mock

FROM debian:bookworm-slim
COPY --from=build /src/target/release/okx-mock /usr/local/bin/okx-mock
# Inside a container the mock must listen on every interface to be reachable.
ENV OKX_MOCK_HOST=0.0.0.0 \
    OKX_MOCK_PORT=8080
EXPOSE 8080
USER nobody
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 \
    CMD ["okx-mock", "healthcheck"]
ENTRYPOINT ["okx-mock"]
