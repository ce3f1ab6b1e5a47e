using StackExchange.Redis;

namespace Fraud.DaprSidecar.State;

/// <summary>
/// Dapr's Redis state store (components-contrib <c>state/redis/redis.go</c>) on a real Redis: an
/// item is a hash with <c>data</c> and <c>version</c> (the ETag), written by the component's own
/// Lua scripts (<c>setDefaultQuery</c>, <c>delDefaultQuery</c>), TTL by <c>EXPIRE</c>/<c>PERSIST</c>
/// after the write, transactions as a MULTI/EXEC of the same scripts (no rollback: <c>Multi</c>).
/// Keys arrive already prefixed (<see cref="StateKeys"/>).
/// </summary>
public sealed class RedisStateStore(IConnectionMultiplexer redis)
{
    // redis.go, setDefaultQuery: first-write (ARGV[3] == "0") marks the item so that later writes need its ETag.
    private const string SetScript = """
        local etag = redis.pcall("HGET", KEYS[1], "version");
        if type(etag) == "table" then
          redis.call("DEL", KEYS[1]);
        end;
        local fwr = redis.pcall("HGET", KEYS[1], "first-write");
        if not etag or type(etag)=="table" or etag == "" or etag == ARGV[1] or (not fwr and ARGV[1] == "0") then
          redis.call("HSET", KEYS[1], "data", ARGV[2]);
          if ARGV[3] == "0" then
            redis.call("HSET", KEYS[1], "first-write", 0);
          end;
          return redis.call("HINCRBY", KEYS[1], "version", 1)
        else
          return error("failed to set key " .. KEYS[1])
        end
        """;

    // redis.go, delDefaultQuery.
    private const string DeleteScript = """
        local etag = redis.pcall("HGET", KEYS[1], "version");
        if not etag or type(etag)=="table" or etag == ARGV[1] or etag == "" or ARGV[1] == "0" then
          return redis.call("DEL", KEYS[1])
        else
          return error("failed to delete " .. KEYS[1])
        end
        """;

    private IDatabase Db => redis.GetDatabase();

    /// <summary><c>getDefault</c>: HGETALL; a missing key is no data and no ETag.</summary>
    public async Task<StateEntry> GetAsync(string key)
    {
        var fields = await Db.HashGetAllAsync(key).ConfigureAwait(false);
        if (fields.Length == 0)
        {
            return StateEntry.Missing;
        }

        byte[]? data = null;
        string? version = null;
        foreach (var field in fields)
        {
            if (field.Name == "data")
            {
                data = field.Value;
            }
            else if (field.Name == "version")
            {
                version = field.Value;
            }
        }

        return data is null || version is null
            ? throw new StateStoreException("required hash field 'data' or 'version' was not found")
            : new StateEntry(data, version);
    }

    /// <summary><c>Set</c>: an ETag mismatch is <see cref="ETagMismatchException"/> only when an ETag was given.</summary>
    public async Task SetAsync(StateWrite write)
    {
        try
        {
            await Db.ScriptEvaluateAsync(SetScript, [write.Key], [Version(write.ETag), write.Value, write.FirstWrite ? "0" : "1"]).ConfigureAwait(false);
        }
        catch (RedisServerException e)
        {
            throw string.IsNullOrEmpty(write.ETag)
                ? new StateStoreException($"failed to set key {write.Key}: {e.Message}")
                : new ETagMismatchException(e.Message);
        }

        await ExpireAsync(Db, write).ConfigureAwait(false);
    }

    /// <summary><c>Delete</c>: every script error counts as an ETag mismatch.</summary>
    public async Task DeleteAsync(string key, string? etag)
    {
        try
        {
            await Db.ScriptEvaluateAsync(DeleteScript, [key], [Version(etag)]).ConfigureAwait(false);
        }
        catch (RedisServerException e)
        {
            throw new ETagMismatchException(e.Message);
        }
    }

    /// <summary>
    /// <c>Multi</c>: one MULTI/EXEC of the scripts (first-write is not passed there). Redis runs every
    /// queued command even when one fails, so a failed ETag check does not undo the others.
    /// </summary>
    public async Task MultiAsync(IReadOnlyList<StateOperation> operations)
    {
        var transaction = Db.CreateTransaction();
        var results = new List<Task>();
        foreach (var operation in operations)
        {
            if (operation.Write is { } write)
            {
                results.Add(transaction.ScriptEvaluateAsync(SetScript, [write.Key], [Version(write.ETag), write.Value]));
                results.Add(ExpireAsync(transaction, write));
            }
            else
            {
                results.Add(transaction.ScriptEvaluateAsync(DeleteScript, [operation.Key], [Version(operation.ETag)]));
            }
        }

        if (!await transaction.ExecuteAsync().ConfigureAwait(false))
        {
            throw new StateStoreException("transaction was not executed");
        }

        try
        {
            await Task.WhenAll(results).ConfigureAwait(false);
        }
        catch (RedisServerException e)
        {
            throw new StateStoreException($"error while executing state transaction: {e.Message}");
        }
    }

    // parseETag: an empty ETag is 0 (last write wins).
    private static string Version(string? etag) => string.IsNullOrEmpty(etag) ? "0" : etag;

    private static Task ExpireAsync(IDatabaseAsync db, StateWrite write) => write.TtlSeconds switch
    {
        null => Task.CompletedTask,
        > 0 and var ttl => db.KeyExpireAsync(write.Key, TimeSpan.FromSeconds(ttl)),
        _ => db.KeyPersistAsync(write.Key),
    };
}

public sealed record StateEntry(byte[]? Data, string? ETag)
{
    public static readonly StateEntry Missing = new(null, null);
}

public sealed record StateWrite(string Key, byte[] Value, string? ETag, bool FirstWrite, long? TtlSeconds);

/// <summary>An upsert (<see cref="Write"/>) or a delete of <see cref="Key"/>.</summary>
public sealed record StateOperation(string Key, StateWrite? Write, string? ETag);

public class StateStoreException(string message) : Exception(message);

/// <summary><c>state.NewETagError(state.ETagMismatch, …)</c>: "possible etag mismatch. error from state store: …".</summary>
public sealed class ETagMismatchException(string message) : StateStoreException($"possible etag mismatch. error from state store: {message}");
