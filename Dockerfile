# syntax=docker/dockerfile:1
# Multi-stage build: a static (musl) release binary in a distroless image, running as non-root, for
# linux/amd64 and linux/arm64: `docker buildx build --platform linux/amd64,linux/arm64 -t secretsync .`
# (plain `docker build` builds the machine's own platform). The build stage runs on the builder's own
# platform and cross-compiles for TARGETARCH with Debian's C toolchain for it (musl-dev:TARGETARCH wraps
# the GNU cross gcc; aws-lc and ring are C), as `cargo xtask image --arch` does. Both images hold the same
# files but for the binary's CPU.
FROM --platform=$BUILDPLATFORM rust:1.95-bookworm AS build
ARG TARGETARCH
RUN case "$TARGETARCH" in \
      amd64) cpu=x86_64 ;; \
      arm64) cpu=aarch64 ;; \
      *) echo "unsupported TARGETARCH '$TARGETARCH': amd64 or arm64" >&2; exit 1 ;; \
    esac \
 && echo "$cpu" > /target-cpu \
 && if [ "$TARGETARCH" != "$(dpkg --print-architecture)" ]; then dpkg --add-architecture "$TARGETARCH"; fi \
 && apt-get update \
 && apt-get install -y --no-install-recommends "musl-dev:$TARGETARCH" \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add "$cpu-unknown-linux-musl"
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY .cargo .cargo
COPY src src
COPY xtask xtask
COPY benches benches
COPY tests tests
RUN cpu="$(cat /target-cpu)" \
 && CPU="$(echo "$cpu" | tr a-z A-Z)" \
 && env "CC_${cpu}_unknown_linux_musl=$cpu-linux-musl-gcc" \
        "AR_${cpu}_unknown_linux_musl=$cpu-linux-gnu-ar" \
        "CARGO_TARGET_${CPU}_UNKNOWN_LINUX_MUSL_LINKER=$cpu-linux-gnu-gcc" \
    cargo build --release --locked --target "$cpu-unknown-linux-musl" --bin secretsync \
 && cp "target/$cpu-unknown-linux-musl/release/secretsync" /secretsync

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /secretsync /secretsync
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/secretsync"]
CMD ["controller"]
