# relapi in a container image FROM scratch. The build stage runs the same
# scripts as CI (ci/static: ci/deps --static, then ci/build with
# -DRELAPI_STATIC=ON) on Debian; the final image holds only the static
# binary and the CA certificates, and runs as a user that is not root.
# Tags: relapi:X.Y.Z, relapi:X.Y and relapi:latest for the release X.Y.Z of
# relapi (CMakeLists.txt's version).
#   docker build -t relapi:0.1.0 . && docker run --rm relapi:0.1.0 --version
FROM debian:bookworm-slim AS build
WORKDIR /src
COPY . .
RUN ci/static \
 && mkdir -p /out/etc/ssl/certs \
 && cp build-static/relapi /out/relapi \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/

FROM scratch
COPY --from=build /out/ /
USER 10001
ENTRYPOINT ["/relapi"]
CMD ["--help"]
