# fraud-api: ingest, anomalies and reviews, statistics, the analyst console. No detector, no ML.NET.
#   docker build -f docker/fraud-api.Dockerfile -t ghcr.io/fraud-dapr/fraud-api:<version> .
# Base images are pinned to the .NET release the repository builds and tests with (SDK 10.0.401,
# runtime 10.0.12); bump them together with it.
FROM mcr.microsoft.com/dotnet/sdk:10.0.401-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN dotnet publish services/Fraud.Api -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0.12-bookworm-slim
WORKDIR /app
COPY --from=build /app .
# The image's non-root `app` user (uid 1654), the pod's runAsUser. Nothing is written under /app:
# the root filesystem can be read-only (the pod mounts /tmp).
USER 1654
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_gcServer=0
EXPOSE 8080
# The liveness probe's path, for `docker run` (Kubernetes uses its own probes).
HEALTHCHECK --interval=10s --timeout=2s --start-period=30s \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.0\\r\\n\\r\\n' >&3 && head -c 12 <&3 | grep -q ' 200'"]
ENTRYPOINT ["dotnet", "Fraud.Api.dll"]
