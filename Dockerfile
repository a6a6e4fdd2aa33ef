# Builds the coopnet binary and a small runtime image. Used by docker-compose.yml; the test
# suite never needs Docker.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p coopnet-cli

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
RUN useradd --system --home /var/lib/coopnet --create-home coopnet
COPY --from=build /src/target/release/coopnet /usr/local/bin/coopnet
COPY config /etc/coopnet
USER coopnet
WORKDIR /var/lib/coopnet
EXPOSE 8080
ENTRYPOINT ["coopnet"]
CMD ["serve", "--config", "/etc/coopnet/default.toml"]
