# relapi in a container image. The build stage runs the same scripts as CI
# (ci/deps --build, ci/build) on the same Debian; the final image holds the
# binary, its man pages, its run-time libraries and the CA certificates, and
# runs as a user that is not root. Tags: relapi:X.Y.Z, relapi:X.Y and
# relapi:latest for the release X.Y.Z of relapi (CMakeLists.txt's version).
#   docker build -t relapi:0.1.0 . && docker run --rm relapi:0.1.0 --version
FROM debian:bookworm-slim AS build
WORKDIR /src
COPY . .
RUN ci/deps --build \
 && BUILD_DIR=/build ci/build -DRELAPI_TESTS=OFF -DCMAKE_BUILD_TYPE=Release \
 && cmake --install /build --prefix /out

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4 libcjson1 libssl3 libyaml-0-2 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home relapi
COPY --from=build /out/bin/relapi /usr/local/bin/relapi
COPY --from=build /out/share/man /usr/local/share/man
USER 10001
ENTRYPOINT ["relapi"]
CMD ["--help"]
