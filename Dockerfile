# relapi in container images. The build stage runs the same scripts as CI
# (ci/static: ci/deps --static, then ci/build with -DRELAPI_STATIC=ON) on
# Debian. Two images take its static binary and the CA certificates, and run
# as a user that is not root:
#   - the default, FROM scratch: nothing else;
#     tags relapi:X.Y.Z, relapi:X.Y and relapi:latest;
#   - --target ci, Debian slim with a shell, as CI runners need one to run a
#     job's script (ci/release.gitlab-ci.yml uses it); tags relapi:X.Y.Z-ci
#     and relapi:ci;
# for the release X.Y.Z of relapi (CMakeLists.txt's version).
#   docker build -t relapi:0.1.0 . && docker run --rm relapi:0.1.0 --version
#   docker build --target ci -t relapi:0.1.0-ci .
FROM debian:bookworm-slim AS build
WORKDIR /src
COPY . .
RUN ci/static \
 && mkdir -p /out/etc/ssl/certs /out/usr/local/bin \
 && cp build-static/relapi /out/usr/local/bin/relapi \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/

FROM debian:bookworm-slim AS ci
COPY --from=build /out/ /
USER 10001
ENTRYPOINT ["relapi"]
CMD ["--help"]

FROM scratch
COPY --from=build /out/ /
USER 10001
ENTRYPOINT ["/usr/local/bin/relapi"]
CMD ["--help"]
