using System.Globalization;
using System.Text.Json;
using Dapr.Client;
using Fraud.Core.Features;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Proto = Dapr.Client.Autogen.Grpc.v1;

namespace Fraud.Detector.Profiles;

/// <summary>
/// Account profiles in the Dapr state store <c>actorstate</c> (keys <c>fraud-detector||&lt;account&gt;</c>,
/// the store's default app-id prefix), with the idle-eviction period as TTL.
/// <para>
/// Reads are one bulk get. Writes are one <c>SaveState</c> of many items, each conditional: with
/// the ETag read, or with first-write concurrency and no ETag for an account that was absent. The
/// Redis store checks each item in its set script (components-contrib state/redis/redis.go,
/// <c>setDefaultQuery</c>: a first-write item is written only while its key is absent, then needs
/// its ETag); PostgreSQL checks the ETag or inserts only when absent. A state transaction would
/// not do on Redis, which drops first-write there (<c>Multi</c>) and applies the other items when
/// one fails.
/// </para>
/// <para>
/// The save is made on Dapr's generated gRPC client because Dapr.Client 1.19's
/// <c>SaveBulkStateAsync</c> sends no <c>dapr-api-token</c>, which a sidecar with an API token
/// (as in the cluster) refuses; the token and endpoint are the ones the SDK would use.
/// </para>
/// </summary>
public sealed class DaprProfileStore(DaprClient dapr, Proto.Dapr.DaprClient grpc, IConfiguration configuration, IOptions<ProfileOptions> options) : IProfileStore
{
    private readonly Metadata _headers = Headers(configuration);
    private readonly string _ttl = ((long)Math.Ceiling(options.Value.AccountIdleEviction.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public static Proto.Dapr.DaprClient CreateGrpcClient(IConfiguration configuration) =>
        new(Grpc.Net.Client.GrpcChannel.ForAddress(global::Dapr.DaprDefaults.GetDefaultGrpcEndpoint(configuration)));

    public async Task<IReadOnlyDictionary<string, VersionedAccount>> ReadAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken)
    {
        var items = await dapr.GetBulkStateAsync(DetectorNames.ProfileStore, [.. accountIds], parallelism: null, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var accounts = new Dictionary<string, VersionedAccount>(accountIds.Count, StringComparer.Ordinal);
        foreach (var item in items)
        {
            accounts[item.Key] = string.IsNullOrEmpty(item.Value)
                ? default
                : new VersionedAccount(Parse(item.Value), string.IsNullOrEmpty(item.ETag) ? null : item.ETag);
        }

        return accounts;
    }

    public async Task<bool> TryWriteAsync(IReadOnlyList<AccountWrite> writes, CancellationToken cancellationToken)
    {
        var request = new Proto.SaveStateRequest { StoreName = DetectorNames.ProfileStore };
        foreach (var write in writes)
        {
            var item = new Proto.StateItem
            {
                Key = write.AccountId,
                Value = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(write.Account, StoredAccountJsonContext.Default.StoredAccount)),
                Options = new Proto.StateOptions { Concurrency = Proto.StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite },
            };
            if (write.ETag is not null)
            {
                item.Etag = new Proto.Etag { Value = write.ETag };
            }

            item.Metadata["ttlInSeconds"] = _ttl;
            request.States.Add(item);
        }

        try
        {
            await grpc.SaveStateAsync(request, new CallOptions(_headers, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (RpcException e) when (e.StatusCode is not StatusCode.Cancelled and not StatusCode.Unauthenticated)
        {
            // An ETag mismatch (Aborted), or a first-write refused, which daprd reports like any other
            // store failure (Internal): the caller reads again and retries, or gives the delivery back.
            return false;
        }
    }

    private static StoredAccount? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, StoredAccountJsonContext.Default.StoredAccount);
        }
        catch (JsonException)
        {
            return null; // another format: the account starts afresh (StoredAccountProfiles logs it)
        }
    }

    private static Metadata Headers(IConfiguration configuration)
    {
        var headers = new Metadata();
        if (global::Dapr.DaprDefaults.GetDefaultDaprApiToken(configuration) is { Length: > 0 } token)
        {
            headers.Add(Fraud.Runtime.DaprNames.AppApiTokenHeader, token);
        }

        return headers;
    }
}
