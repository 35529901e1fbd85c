# capsim in a container: Debian 12, the packages from scripts/setup (the one package list),
# capsim built and installed under /usr/local (program, man page, engine library, headers).
#
#   docker build -t capsim .
#   docker run --rm -v "$PWD:/work" capsim run scenarios/queue-mm10.yaml -r 50 -o results/mm10.h5
#
# The default thread count follows the container's CPU limit (docker run --cpus=N sets the
# cgroup quota that capsim reads).
FROM debian:12

ENV DEBIAN_FRONTEND=noninteractive
COPY scripts/setup /opt/capsim/src/scripts/setup
RUN /opt/capsim/src/scripts/setup && rm -rf /var/lib/apt/lists/*

COPY . /opt/capsim/src
RUN cd /opt/capsim/src \
    && CAPSIM_BUILD_DIR=/opt/capsim/build scripts/build -DCAPSIM_TESTS=OFF \
    && cmake --install /opt/capsim/build --prefix /usr/local \
    && rm -rf /opt/capsim/build

WORKDIR /work
ENTRYPOINT ["capsim"]
CMD ["--help"]
