# fraud-model: one trained model, copied by the detector's init container into /models.
#   fraud train ... --out data/model.zip
#   docker build -f docker/fraud-model.Dockerfile -t ghcr.io/fraud-dapr/fraud-model:<model version> data
# The build context is the folder that holds model.zip.
FROM busybox:1.37.0
COPY model.zip /model/model.zip
USER 1654
