using Fraud.Core.Features;
using Fraud.Detector.Profiles;

namespace Fraud.Detector.Tests.Infrastructure;

/// <summary>A profile write as the store received it.</summary>
public sealed record ProfileWrite(IReadOnlyList<AccountWrite> Items, bool Accepted);

/// <summary>
/// The profile store in memory, with the conditions of the Dapr state store: each item is written
/// only when its ETag is the version held (or, without one, when the account is absent); the
/// others of the call still are, as with Redis. Records every read and write; can be told to fail
/// or to let another writer in just before a write.
/// </summary>
public sealed class InMemoryProfileStore : IProfileStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (StoredAccount Account, int Version)> _accounts = new(StringComparer.Ordinal);
    private readonly List<IReadOnlyCollection<string>> _reads = [];
    private readonly List<ProfileWrite> _writes = [];

    /// <summary>Thrown by reads, as an unreachable sidecar or store.</summary>
    public Exception? ReadFailure { get; set; }

    /// <summary>Makes writes fail (false), as a store that refuses them.</summary>
    public bool WriteFailure { get; set; }

    /// <summary>Runs before a write is applied: lets a test change an account meanwhile, as another detector would.</summary>
    public Action<InMemoryProfileStore>? BeforeWrite { get; set; }

    public IReadOnlyList<IReadOnlyCollection<string>> Reads
    {
        get
        {
            lock (_lock)
            {
                return [.. _reads];
            }
        }
    }

    public IReadOnlyList<ProfileWrite> Writes
    {
        get
        {
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    public StoredAccount? Account(string accountId)
    {
        lock (_lock)
        {
            return _accounts.TryGetValue(accountId, out var held) ? held.Account : null;
        }
    }

    /// <summary>The account's profile as stored, or null.</summary>
    public AccountProfile? Profile(string accountId) => Account(accountId) is { } account ? AccountProfileSerializer.Deserialize(account.Profile) : null;

    /// <summary>Stores an account as another writer would (a new version).</summary>
    public void Put(string accountId, StoredAccount account)
    {
        lock (_lock)
        {
            var version = _accounts.TryGetValue(accountId, out var held) ? held.Version : 0;
            _accounts[accountId] = (account, version + 1);
        }
    }

    public Task<IReadOnlyDictionary<string, VersionedAccount>> ReadAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken)
    {
        if (ReadFailure is { } failure)
        {
            return Task.FromException<IReadOnlyDictionary<string, VersionedAccount>>(failure);
        }

        lock (_lock)
        {
            _reads.Add([.. accountIds]);
            var result = new Dictionary<string, VersionedAccount>(StringComparer.Ordinal);
            foreach (var id in accountIds)
            {
                result[id] = _accounts.TryGetValue(id, out var held)
                    ? new VersionedAccount(held.Account, held.Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    : default;
            }

            return Task.FromResult<IReadOnlyDictionary<string, VersionedAccount>>(result);
        }
    }

    public Task<bool> TryWriteAsync(IReadOnlyList<AccountWrite> writes, CancellationToken cancellationToken)
    {
        BeforeWrite?.Invoke(this);
        lock (_lock)
        {
            if (WriteFailure)
            {
                _writes.Add(new ProfileWrite(writes, false));
                return Task.FromResult(false);
            }

            var all = true;
            foreach (var write in writes)
            {
                var held = _accounts.TryGetValue(write.AccountId, out var current);
                var matches = write.ETag is null
                    ? !held
                    : held && write.ETag == current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (matches)
                {
                    _accounts[write.AccountId] = (write.Account, (held ? current.Version : 0) + 1);
                }

                all &= matches;
            }

            _writes.Add(new ProfileWrite(writes, all));
            return Task.FromResult(all);
        }
    }
}
