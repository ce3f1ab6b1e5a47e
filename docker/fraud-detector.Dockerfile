# fraud-detector: the Dapr subscriptions, account profiles, scoring (ML.NET, LightGBM), the ledger.
#   docker build -f docker/fraud-detector.Dockerfile -t ghcr.io/fraud-dapr/fraud-detector:<version> .
# Base images are pinned to the .NET release the repository builds and tests with (SDK 10.0.401,
# runtime 10.0.12); bump them together with it.
FROM mcr.microsoft.com/dotnet/sdk:10.0.401-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN dotnet publish services/Fraud.Detector -c Release -r linux-x64 --self-contained false -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0.12-bookworm-slim
# LightGBM's native library links the GNU OpenMP runtime (ldd lib_lightgbm.so: libgomp.so.1).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
# The image's non-root `app` user (uid 1654), the pod's runAsUser. The model is read from
# /models (an init container copies it from the fraud-model image); nothing is written under /app.
USER 1654
ENV ASPNETCORE_URLS=http://+:8081 \
    Fraud__Detector__ModelPath=/models/model.zip
EXPOSE 8081
# The liveness probe's path, for `docker run` (Kubernetes uses its own probes).
HEALTHCHECK --interval=10s --timeout=2s --start-period=120s \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /health/live HTTP/1.0\\r\\n\\r\\n' >&3 && head -c 12 <&3 | grep -q ' 200'"]
ENTRYPOINT ["dotnet", "Fraud.Detector.dll"]
