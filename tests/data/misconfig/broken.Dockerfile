FROM debian:12
RUN <<EOT
echo never ends
