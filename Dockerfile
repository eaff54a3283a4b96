# syntax=docker/dockerfile:1
# Multi-stage build: a static (musl) release binary in a distroless image, running as non-root.
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY .cargo .cargo
COPY src src
COPY xtask xtask
COPY benches benches
COPY tests tests
RUN cargo build --release --locked --target x86_64-unknown-linux-musl --bin secretsync \
 && cp target/x86_64-unknown-linux-musl/release/secretsync /secretsync

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /secretsync /secretsync
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/secretsync"]
CMD ["controller"]
