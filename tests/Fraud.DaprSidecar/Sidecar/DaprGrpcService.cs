using System.Globalization;
using Fraud.DaprSidecar.Protos;
using Fraud.DaprSidecar.State;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Fraud.DaprSidecar.Sidecar;

/// <summary>
/// The part of daprd's gRPC API the services call (dapr pkg/api/grpc/grpc.go), on the cluster's
/// Redis and Kafka. Errors carry the codes daprd's <c>stateErrorResponse</c> gives: an ETag
/// mismatch is <c>Aborted</c>, an invalid ETag <c>InvalidArgument</c>, any other store failure
/// <c>Internal</c>. daprd would first retry a store failure under the component's outbound
/// policy; here the app sees it at once, which is the harder case for it.
/// </summary>
internal sealed class DaprGrpcService(TestSidecar sidecar) : Protos.Dapr.DaprBase
{
    private DaprTestCluster Cluster => sidecar.Cluster;

    public override async Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        var key = Key(request.StoreName, request.Key);
        var entry = await Store(() => Cluster.State.GetAsync(key), $"fail to get {request.Key} from state store {request.StoreName}").ConfigureAwait(false);
        return new GetStateResponse { Data = ByteString.CopyFrom(entry.Data ?? []), Etag = entry.ETag ?? string.Empty };
    }

    /// <summary>state/bulk.go <c>DoBulkGet</c>: one get per key; a key that fails carries its error.</summary>
    public override async Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context)
    {
        var keys = request.Keys.Select(k => (Original: k, Key: Key(request.StoreName, k))).ToList();
        var items = await Task.WhenAll(keys.Select(async k =>
        {
            try
            {
                var entry = await Cluster.State.GetAsync(k.Key).ConfigureAwait(false);
                return new BulkStateItem { Key = k.Original, Data = ByteString.CopyFrom(entry.Data ?? []), Etag = entry.ETag ?? string.Empty };
            }
            catch (Exception e) when (IsStoreFailure(e))
            {
                return new BulkStateItem { Key = k.Original, Error = e.Message };
            }
        })).ConfigureAwait(false);
        var response = new GetBulkStateResponse();
        response.Items.AddRange(items);
        return response;
    }

    /// <summary>
    /// grpc.go <c>SaveState</c> → the store's <c>BulkSet</c> (components-contrib state/bulk.go
    /// <c>DoBulkSet</c>: every item is set on its own, the errors are joined): an item that fails
    /// does not stop the others. Any ETag error makes the answer <c>Aborted</c>.
    /// </summary>
    public override async Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context)
    {
        var settings = sidecar.Store(request.StoreName);
        var writes = new List<StateWrite>(request.States.Count);
        foreach (var item in request.States)
        {
            if (string.IsNullOrEmpty(item.Key))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "state key cannot be empty"));
            }

            writes.Add(Write(settings, request.StoreName, item.Key, item.Value, item.Etag?.Value, item.Options, item.Metadata));
        }

        var failures = await Task.WhenAll(writes.Select(async write =>
        {
            try
            {
                await Cluster.State.SetAsync(write).ConfigureAwait(false);
                return null;
            }
            catch (Exception e) when (IsStoreFailure(e))
            {
                return e;
            }
        })).ConfigureAwait(false);
        var failed = failures.OfType<Exception>().ToList();
        if (failed.Count > 0)
        {
            var message = $"failed saving state in state store {request.StoreName}: {string.Join("; ", failed.Select(e => e.Message))}";
            throw new RpcException(new Status(failed.Any(e => e is ETagMismatchException) ? StatusCode.Aborted : StatusCode.Internal, message));
        }

        return new Empty();
    }

    public override async Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context)
    {
        var key = Key(request.StoreName, request.Key);
        await Store(() => Cluster.State.DeleteAsync(key, request.Etag?.Value), $"failed deleting state with key {request.Key}").ConfigureAwait(false);
        return new Empty();
    }

    /// <summary>grpc.go <c>ExecuteStateTransaction</c>: a failure is <c>Internal</c>, "error while executing state transaction".</summary>
    public override async Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        var settings = sidecar.Store(request.StoreName);
        var operations = request.Operations.Select(o => o.OperationType == "delete"
            ? new StateOperation(Key(request.StoreName, o.Request.Key), null, o.Request.Etag?.Value)
            : new StateOperation(
                Key(request.StoreName, o.Request.Key),
                Write(settings, request.StoreName, o.Request.Key, o.Request.Value, o.Request.Etag?.Value, o.Request.Options, o.Request.Metadata),
                o.Request.Etag?.Value)).ToList();
        try
        {
            await Cluster.State.MultiAsync(operations).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw new RpcException(new Status(StatusCode.Internal, $"error while executing state transaction: {e.Message}"));
        }

        return new Empty();
    }

    /// <summary>
    /// grpc.go <c>PublishEvent</c>: the payload wrapped in a CloudEvent (<see cref="CloudEvents"/>)
    /// and handed to Kafka, whose message key is metadata <c>partitionKey</c> (or <c>__key</c>;
    /// components-contrib common/component/kafka/producer.go, <c>Publish</c>).
    /// </summary>
    public override Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context) =>
        sidecar.Publish(request.PubsubName, request.Topic, request.Data.Span, request.DataContentType, request.Metadata)
            ? Task.FromResult(new Empty())
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"pubsub {request.PubsubName} is not found"));

    public override Task<GetMetadataResponse> GetMetadata(GetMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new GetMetadataResponse { Id = sidecar.AppId, RuntimeVersion = "test-sidecar" });

    private string Key(string storeName, string key)
    {
        var settings = sidecar.Store(storeName);
        try
        {
            return StateKeys.Modified(key, settings.KeyPrefix, settings.Name, sidecar.AppId);
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.Unknown, e.Message));
        }
    }

    // A request's ttlInSeconds, else the component's (redis.go Set, parseTTL); first-write from the options.
    private StateWrite Write(StateStoreSettings settings, string storeName, string key, ByteString value, string? etag, StateOptions? options, IDictionary<string, string> metadata)
    {
        long? ttl = metadata.TryGetValue("ttlInSeconds", out var text)
            ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new RpcException(new Status(StatusCode.Internal, $"failed to parse ttl from metadata: {text}"))
            : settings.TtlSeconds;
        var firstWrite = options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite;
        if (!string.IsNullOrEmpty(etag) && !long.TryParse(etag, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"invalid etag value: {etag}"));
        }

        return new StateWrite(Key(storeName, key), value.ToByteArray(), etag, firstWrite, ttl);
    }

    private static async Task<T> Store<T>(Func<Task<T>> operation, string failure)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (ETagMismatchException e)
        {
            throw new RpcException(new Status(StatusCode.Aborted, $"{failure}: {e.Message}"));
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw new RpcException(new Status(StatusCode.Internal, $"{failure}: {e.Message}"));
        }
    }

    private static Task Store(Func<Task> operation, string failure) => Store(async () =>
    {
        await operation().ConfigureAwait(false);
        return true;
    }, failure);

    private static bool IsStoreFailure(Exception e) =>
        e is StackExchange.Redis.RedisException or StateStoreException or TimeoutException;
}
