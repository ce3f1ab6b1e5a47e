using System.Collections.Concurrent;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Fraud.Runtime;

namespace Fraud.Detector.Tests.Infrastructure;

/// <summary>A publish as the sidecar would receive it: component, topic, the payload as serialised, and the metadata.</summary>
public sealed record PublishCall(string PubSub, string Topic, object? Data, Type DataType, JsonElement Json, IReadOnlyDictionary<string, string>? Metadata)
{
    public string? PartitionKey => Metadata is not null && Metadata.TryGetValue("partitionKey", out var key) ? key : null;
}

/// <summary>One item of a state save.</summary>
public sealed record SavedStateItem(string Key, object? Value, JsonElement Json, string? ETag, IReadOnlyDictionary<string, string>? Metadata, ConcurrencyMode? Concurrency = null);

public sealed record StateSaveCall(string Store, IReadOnlyList<SavedStateItem> Items);

/// <summary>
/// A <see cref="DaprClient"/> that records what the app asks of its sidecar (publishes, state saves
/// and reads, health checks), serialising payloads with the client's JSON options as the real client
/// does, and can be told to fail or to hold a call. Everything else is not used by the services and throws.
/// </summary>
public sealed class RecordingDaprClient : DaprClient
{
    private readonly Lock _lock = new();
    private readonly List<PublishCall> _publishes = [];
    private readonly List<StateSaveCall> _saves = [];
    private readonly List<(string Store, string Key)> _gets = [];
    private readonly ConcurrentDictionary<(string Store, string Key), byte[]> _state = new();
    private readonly ConcurrentDictionary<(string Store, string Key), int> _versions = new();
    private int _healthChecks;

    public override JsonSerializerOptions JsonSerializerOptions => RuntimeJson.Options;

    /// <summary>Returns the exception a publish fails with (as the real client: a <see cref="DaprException"/>), or null to accept it.</summary>
    public Func<PublishCall, Exception?>? PublishFailure { get; set; }

    /// <summary>Returns the exception a state save fails with, or null to accept it.</summary>
    public Func<StateSaveCall, Exception?>? SaveFailure { get; set; }

    /// <summary>Awaited before a state save is recorded: lets a test hold a delivery in flight.</summary>
    public Func<Task>? BeforeSave { get; set; }

    public bool SidecarHealthy { get; set; } = true;

    public IReadOnlyList<PublishCall> Publishes
    {
        get
        {
            lock (_lock)
            {
                return [.. _publishes];
            }
        }
    }

    public IReadOnlyList<StateSaveCall> StateSaves
    {
        get
        {
            lock (_lock)
            {
                return [.. _saves];
            }
        }
    }

    public IReadOnlyList<(string Store, string Key)> StateReads
    {
        get
        {
            lock (_lock)
            {
                return [.. _gets];
            }
        }
    }

    public int HealthChecks => Volatile.Read(ref _healthChecks);

    public IReadOnlyList<PublishCall> PublishesTo(string topic) => [.. Publishes.Where(p => p.Topic == topic)];

    public void Clear()
    {
        lock (_lock)
        {
            _publishes.Clear();
            _saves.Clear();
            _gets.Clear();
        }
    }

    private Task RecordPublishAsync<TData>(string pubsubName, string topicName, TData data, Dictionary<string, string>? metadata)
    {
        var call = new PublishCall(pubsubName, topicName, data, typeof(TData), JsonSerializer.SerializeToElement(data, RuntimeJson.Options),
            metadata is null ? null : new Dictionary<string, string>(metadata));
        if (PublishFailure?.Invoke(call) is { } failure)
        {
            return Task.FromException(failure);
        }

        lock (_lock)
        {
            _publishes.Add(call);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Records a save of one item and keeps it, with a version as its ETag. With an ETag the save
    /// succeeds only when it is the version held (false otherwise, as <c>TrySaveStateAsync</c>).
    /// </summary>
    private async Task<bool> RecordSaveAsync<TValue>(string storeName, string key, TValue value, string? etag, StateOptions? options, IReadOnlyDictionary<string, string>? metadata)
    {
        if (BeforeSave is { } hold)
        {
            await hold().ConfigureAwait(false);
        }

        var item = new SavedStateItem(key, value, JsonSerializer.SerializeToElement(value, RuntimeJson.Options), etag,
            metadata is null ? null : new Dictionary<string, string>(metadata), options?.Concurrency);
        var call = new StateSaveCall(storeName, [item]);
        if (SaveFailure?.Invoke(call) is { } failure)
        {
            throw failure;
        }

        lock (_lock)
        {
            var version = _versions.GetValueOrDefault((storeName, key));
            if (!string.IsNullOrEmpty(etag) && etag != version.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return false;
            }

            _saves.Add(call);
            _state[(storeName, key)] = JsonSerializer.SerializeToUtf8Bytes(item.Json);
            _versions[(storeName, key)] = version + 1;
            return true;
        }
    }

    private Task<TValue> GetRecordedStateAsync<TValue>(string storeName, string key)
    {
        lock (_lock)
        {
            _gets.Add((storeName, key));
        }

        return Task.FromResult(_state.TryGetValue((storeName, key), out var bytes)
            ? JsonSerializer.Deserialize<TValue>(bytes, RuntimeJson.Options)!
            : default!);
    }

    /// <summary>As the sidecar answers a bulk get: one item per key, the value empty for a key it does not hold.</summary>
    private Task<IReadOnlyList<BulkStateItem>> GetRecordedBulkStateAsync(string storeName, IReadOnlyList<string> keys)
    {
        lock (_lock)
        {
            foreach (var key in keys)
            {
                _gets.Add((storeName, key));
            }

            return Task.FromResult<IReadOnlyList<BulkStateItem>>([.. keys.Select(key => new BulkStateItem(key,
                _state.TryGetValue((storeName, key), out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : string.Empty, string.Empty))]);
        }
    }

    private Task<bool> CheckSidecarAsync(string endpoint)
    {
        _ = endpoint;
        Interlocked.Increment(ref _healthChecks);
        return Task.FromResult(SidecarHealthy);
    }

    // Not used by the services. Signatures as the SDK declares them (nullable-oblivious here), obsolete ones included.
#nullable disable
#pragma warning disable CS0672, DAPR_DISTRIBUTEDLOCK, DAPR_CRYPTOGRAPHY // obsolete and experimental members
    public override global::System.Threading.Tasks.Task PublishEventAsync<TData>(string pubsubName, string topicName, TData data, global::System.Threading.CancellationToken cancellationToken = default) => RecordPublishAsync(pubsubName, topicName, data, metadata: null);
    public override global::System.Threading.Tasks.Task PublishEventAsync<TData>(string pubsubName, string topicName, TData data, global::System.Collections.Generic.Dictionary<string, string> metadata, global::System.Threading.CancellationToken cancellationToken = default) => RecordPublishAsync(pubsubName, topicName, data, metadata);
    public override global::System.Threading.Tasks.Task PublishEventAsync(string pubsubName, string topicName, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task PublishEventAsync(string pubsubName, string topicName, global::System.Collections.Generic.Dictionary<string, string> metadata, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::Dapr.Client.BulkPublishResponse<TValue>> BulkPublishEventAsync<TValue>(string pubsubName, string topicName, global::System.Collections.Generic.IReadOnlyList<TValue> events, global::System.Collections.Generic.Dictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task PublishByteEventAsync(string pubsubName, string topicName, global::System.ReadOnlyMemory<byte> data, string dataContentType = default, global::System.Collections.Generic.Dictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task InvokeBindingAsync<TRequest>(string bindingName, string operation, TRequest data, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<TResponse> InvokeBindingAsync<TRequest, TResponse>(string bindingName, string operation, TRequest data, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::Dapr.Client.BindingResponse> InvokeBindingAsync(global::Dapr.Client.BindingRequest request, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Net.Http.HttpRequestMessage CreateInvokeMethodRequest(global::System.Net.Http.HttpMethod httpMethod, string appId, string methodName) => throw new NotSupportedException();
    public override global::System.Net.Http.HttpRequestMessage CreateInvokeMethodRequest(global::System.Net.Http.HttpMethod httpMethod, string appId, string methodName, global::System.Collections.Generic.IReadOnlyCollection<global::System.Collections.Generic.KeyValuePair<string, string>> queryStringParameters) => throw new NotSupportedException();
    public override global::System.Net.Http.HttpRequestMessage CreateInvokeMethodRequest<TRequest>(global::System.Net.Http.HttpMethod httpMethod, string appId, string methodName, global::System.Collections.Generic.IReadOnlyCollection<global::System.Collections.Generic.KeyValuePair<string, string>> queryStringParameters, TRequest data) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<bool> CheckHealthAsync(global::System.Threading.CancellationToken cancellationToken = default) => CheckSidecarAsync("healthz");
    public override global::System.Threading.Tasks.Task<bool> CheckOutboundHealthAsync(global::System.Threading.CancellationToken cancellationToken = default) => CheckSidecarAsync("healthz/outbound");
    public override global::System.Threading.Tasks.Task WaitForSidecarAsync(global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task ShutdownSidecarAsync(global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::Dapr.Client.DaprMetadata> GetMetadataAsync(global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task SetMetadataAsync(string attributeName, string attributeValue, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::System.Net.Http.HttpResponseMessage> InvokeMethodWithResponseAsync(global::System.Net.Http.HttpRequestMessage request, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Net.Http.HttpClient CreateInvokableHttpClient(string appId = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task InvokeMethodAsync(global::System.Net.Http.HttpRequestMessage request, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<TResponse> InvokeMethodAsync<TResponse>(global::System.Net.Http.HttpRequestMessage request, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task InvokeMethodGrpcAsync(string appId, string methodName, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task InvokeMethodGrpcAsync<TRequest>(string appId, string methodName, TRequest data, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<TResponse> InvokeMethodGrpcAsync<TResponse>(string appId, string methodName, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<TResponse> InvokeMethodGrpcAsync<TRequest, TResponse>(string appId, string methodName, TRequest data, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<TValue> GetStateAsync<TValue>(string storeName, string key, global::Dapr.Client.ConsistencyMode? consistencyMode = default, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => GetRecordedStateAsync<TValue>(storeName, key);
    public override global::System.Threading.Tasks.Task<global::System.Collections.Generic.IReadOnlyList<global::Dapr.Client.BulkStateItem>> GetBulkStateAsync(string storeName, global::System.Collections.Generic.IReadOnlyList<string> keys, int? parallelism, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => GetRecordedBulkStateAsync(storeName, keys);
    public override global::System.Threading.Tasks.Task<global::System.Collections.Generic.IReadOnlyList<global::Dapr.Client.BulkStateItem<TValue>>> GetBulkStateAsync<TValue>(string storeName, global::System.Collections.Generic.IReadOnlyList<string> keys, int? parallelism, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task SaveBulkStateAsync<TValue>(string storeName, global::System.Collections.Generic.IReadOnlyList<global::Dapr.Client.SaveStateItem<TValue>> items, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException("Dapr.Client 1.19 sends no API token on a bulk save: the services save items one by one");
    public override global::System.Threading.Tasks.Task DeleteBulkStateAsync(string storeName, global::System.Collections.Generic.IReadOnlyList<global::Dapr.Client.BulkDeleteStateItem> items, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override async global::System.Threading.Tasks.Task<global::System.ValueTuple<TValue, string>> GetStateAndETagAsync<TValue>(string storeName, string key, global::Dapr.Client.ConsistencyMode? consistencyMode = default, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) =>
        (await GetRecordedStateAsync<TValue>(storeName, key).ConfigureAwait(false), _versions.TryGetValue((storeName, key), out var version) ? version.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty);
    public override global::System.Threading.Tasks.Task SaveStateAsync<TValue>(string storeName, string key, TValue value, global::Dapr.Client.StateOptions stateOptions = default, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => RecordSaveAsync(storeName, key, value, null, stateOptions, metadata);
    public override global::System.Threading.Tasks.Task SaveByteStateAsync(string storeName, string key, global::System.ReadOnlyMemory<byte> binaryValue, global::Dapr.Client.StateOptions stateOptions = default, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<bool> TrySaveByteStateAsync(string storeName, string key, global::System.ReadOnlyMemory<byte> binaryValue, string etag, global::Dapr.Client.StateOptions stateOptions = default, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::System.ReadOnlyMemory<byte>> GetByteStateAsync(string storeName, string key, global::Dapr.Client.ConsistencyMode? consistencyMode = default, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::System.ValueTuple<global::System.ReadOnlyMemory<byte>, string>> GetByteStateAndETagAsync(string storeName, string key, global::Dapr.Client.ConsistencyMode? consistencyMode = default, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<bool> TrySaveStateAsync<TValue>(string storeName, string key, TValue value, string etag, global::Dapr.Client.StateOptions stateOptions = default, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => RecordSaveAsync(storeName, key, value, etag, stateOptions, metadata);
    public override global::System.Threading.Tasks.Task ExecuteStateTransactionAsync(string storeName, global::System.Collections.Generic.IReadOnlyList<global::Dapr.Client.StateTransactionRequest> operations, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task DeleteStateAsync(string storeName, string key, global::Dapr.Client.StateOptions stateOptions = default, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<bool> TryDeleteStateAsync(string storeName, string key, string etag, global::Dapr.Client.StateOptions stateOptions = default, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::Dapr.Client.StateQueryResponse<TValue>> QueryStateAsync<TValue>(string storeName, string jsonQuery, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::System.Collections.Generic.Dictionary<string, string>> GetSecretAsync(string storeName, string key, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::System.Collections.Generic.Dictionary<string, global::System.Collections.Generic.Dictionary<string, string>>> GetBulkSecretAsync(string storeName, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::Dapr.Client.GetConfigurationResponse> GetConfiguration(string storeName, global::System.Collections.Generic.IReadOnlyList<string> keys, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::Dapr.Client.SubscribeConfigurationResponse> SubscribeConfiguration(string storeName, global::System.Collections.Generic.IReadOnlyList<string> keys, global::System.Collections.Generic.IReadOnlyDictionary<string, string> metadata = default, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::Dapr.Client.UnsubscribeConfigurationResponse> UnsubscribeConfiguration(string storeName, string id, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::System.ReadOnlyMemory<byte>> EncryptAsync(string vaultResourceName, global::System.ReadOnlyMemory<byte> plaintextBytes, string keyName, global::Dapr.Client.EncryptionOptions encryptionOptions, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Collections.Generic.IAsyncEnumerable<global::System.ReadOnlyMemory<byte>> EncryptAsync(string vaultResourceName, global::System.IO.Stream plaintextStream, string keyName, global::Dapr.Client.EncryptionOptions encryptionOptions, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::System.ReadOnlyMemory<byte>> DecryptAsync(string vaultResourceName, global::System.ReadOnlyMemory<byte> ciphertextBytes, string keyName, global::Dapr.Client.DecryptionOptions options, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::System.ReadOnlyMemory<byte>> DecryptAsync(string vaultResourceName, global::System.ReadOnlyMemory<byte> ciphertextBytes, string keyName, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Collections.Generic.IAsyncEnumerable<global::System.ReadOnlyMemory<byte>> DecryptAsync(string vaultResourceName, global::System.IO.Stream ciphertextStream, string keyName, global::Dapr.Client.DecryptionOptions options, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Collections.Generic.IAsyncEnumerable<global::System.ReadOnlyMemory<byte>> DecryptAsync(string vaultResourceName, global::System.IO.Stream ciphertextStream, string keyName, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::Dapr.Client.TryLockResponse> Lock(string storeName, string resourceId, string lockOwner, int expiryInSeconds, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public override global::System.Threading.Tasks.Task<global::Dapr.Client.UnlockResponse> Unlock(string storeName, string resourceId, string lockOwner, global::System.Threading.CancellationToken cancellationToken = default) => throw new NotSupportedException();
#pragma warning restore CS0672, DAPR_DISTRIBUTEDLOCK, DAPR_CRYPTOGRAPHY
#nullable restore
}
