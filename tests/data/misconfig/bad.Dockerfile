# A Dockerfile with one instance of most checks (tests/integration/config_cli.sh).
FROM ubuntu
MAINTAINER someone <someone@example.com>
ARG NPM_TOKEN=npm_0123456789abcdefghij
ENV DB_PASSWORD=hunter2-but-longer \
    APP_ENV=production
ADD https://example.com/tool.tar.gz /opt/
ADD app.py /app/
WORKDIR app
RUN apt-get update && apt-get install curl
RUN curl -fsSL https://get.example.com/install.sh | sh
RUN sudo chmod 777 /app
EXPOSE 8080 22
CMD ["python3", "app.py"]
CMD ["python3", "/app/app.py"]
