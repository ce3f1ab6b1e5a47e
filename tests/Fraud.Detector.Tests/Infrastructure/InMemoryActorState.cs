using System.Text.Json;
using Dapr.Actors.Runtime;
using Fraud.Runtime;

namespace Fraud.Detector.Tests.Infrastructure;

/// <summary>One value in the actor state store: its JSON as the actor runtime writes it, and its TTL.</summary>
public sealed record StoredActorState(byte[] Json, TimeSpan? Ttl);

/// <summary>
/// The <c>actorstate</c> component in memory: what survives an actor's deactivation. Saves can be
/// made to fail, like a state store that is down.
/// </summary>
public sealed class ActorStateStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string ActorId, string Name), StoredActorState> _items = [];
    private readonly List<(string ActorId, string Name, StoredActorState State)> _writes = [];

    /// <summary>When set, every transactional save of actor state throws this.</summary>
    public Exception? SaveFailure { get; set; }

    public IReadOnlyList<(string ActorId, string Name, StoredActorState State)> Writes
    {
        get
        {
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    public bool TryGet(string actorId, string name, out StoredActorState state)
    {
        lock (_lock)
        {
            return _items.TryGetValue((actorId, name), out state!);
        }
    }

    public T? Read<T>(string actorId, string name) =>
        TryGet(actorId, name, out var state) ? JsonSerializer.Deserialize<T>(state.Json, RuntimeJson.Options) : default;

    /// <summary>Puts a raw JSON value in the store, as another version of the app might have left it.</summary>
    public void Put(string actorId, string name, string json)
    {
        lock (_lock)
        {
            _items[(actorId, name)] = new StoredActorState(System.Text.Encoding.UTF8.GetBytes(json), null);
        }
    }

    internal void Commit(string actorId, IReadOnlyList<(string Name, StoredActorState? State)> changes)
    {
        if (SaveFailure is { } failure)
        {
            throw failure;
        }

        lock (_lock)
        {
            foreach (var (name, state) in changes)
            {
                if (state is null)
                {
                    _items.Remove((actorId, name));
                }
                else
                {
                    _items[(actorId, name)] = state;
                    _writes.Add((actorId, name, state));
                }
            }
        }
    }
}

/// <summary>
/// An <see cref="IActorStateManager"/> with the Dapr SDK's semantics: reads go through a per-activation
/// cache, writes are only tracked until the runtime calls <see cref="SaveStateAsync"/> after the actor
/// method returned, and <see cref="ClearCacheAsync"/> (after a failed method) forgets tracked changes.
/// Values are stored as JSON with the actors' serializer options, as the sidecar would hold them.
/// </summary>
public sealed class InMemoryActorStateManager(ActorStateStore store, string actorId) : IActorStateManager
{
    private readonly Dictionary<string, Tracked> _tracker = new(StringComparer.Ordinal);

    public Task AddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default) =>
        AddStateAsync(stateName, value, null);

    public Task AddStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        AddStateAsync(stateName, value, (TimeSpan?)ttl);

    public async Task<T> GetStateAsync<T>(string stateName, CancellationToken cancellationToken = default)
    {
        var value = await TryGetStateAsync<T>(stateName, cancellationToken);
        return value.HasValue ? value.Value : throw new KeyNotFoundException($"Actor state {stateName} not found");
    }

    public Task SetStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        _tracker[stateName] = new Tracked(value, typeof(T), Dirty: true, Removed: false, Ttl: null);
        return Task.CompletedTask;
    }

    public Task SetStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        _tracker[stateName] = new Tracked(value, typeof(T), Dirty: true, Removed: false, Ttl: ttl);
        return Task.CompletedTask;
    }

    public async Task RemoveStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        if (!await TryRemoveStateAsync(stateName, cancellationToken))
        {
            throw new KeyNotFoundException($"Actor state {stateName} not found");
        }
    }

    public async Task<bool> TryAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        if (await ContainsStateAsync(stateName, cancellationToken))
        {
            return false;
        }

        await SetStateAsync(stateName, value, cancellationToken);
        return true;
    }

    public async Task<bool> TryAddStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        if (await ContainsStateAsync(stateName, cancellationToken))
        {
            return false;
        }

        await SetStateAsync(stateName, value, ttl, cancellationToken);
        return true;
    }

    public Task<ConditionalValue<T>> TryGetStateAsync<T>(string stateName, CancellationToken cancellationToken = default)
    {
        if (_tracker.TryGetValue(stateName, out var tracked))
        {
            return Task.FromResult(tracked.Removed ? new ConditionalValue<T>(false, default!) : new ConditionalValue<T>(true, (T)tracked.Value!));
        }

        if (!store.TryGet(actorId, stateName, out var stored))
        {
            return Task.FromResult(new ConditionalValue<T>(false, default!));
        }

        // As the SDK's state provider: a value that does not deserialise throws JsonException.
        var value = JsonSerializer.Deserialize<T>(stored.Json, RuntimeJson.Options)!;
        _tracker[stateName] = new Tracked(value, typeof(T), Dirty: false, Removed: false, stored.Ttl);
        return Task.FromResult(new ConditionalValue<T>(true, value));
    }

    public async Task<bool> TryRemoveStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        if (!await ContainsStateAsync(stateName, cancellationToken))
        {
            return false;
        }

        _tracker[stateName] = new Tracked(null, typeof(object), Dirty: true, Removed: true, Ttl: null);
        return true;
    }

    public Task<bool> ContainsStateAsync(string stateName, CancellationToken cancellationToken = default) =>
        Task.FromResult(_tracker.TryGetValue(stateName, out var tracked) ? !tracked.Removed : store.TryGet(actorId, stateName, out _));

    public async Task<T> GetOrAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        var current = await TryGetStateAsync<T>(stateName, cancellationToken);
        if (current.HasValue)
        {
            return current.Value;
        }

        await SetStateAsync(stateName, value, cancellationToken);
        return value;
    }

    public async Task<T> GetOrAddStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        var current = await TryGetStateAsync<T>(stateName, cancellationToken);
        if (current.HasValue)
        {
            return current.Value;
        }

        await SetStateAsync(stateName, value, ttl, cancellationToken);
        return value;
    }

    public async Task<T> AddOrUpdateStateAsync<T>(string stateName, T addValue, Func<string, T, T> updateValueFactory, CancellationToken cancellationToken = default)
    {
        var current = await TryGetStateAsync<T>(stateName, cancellationToken);
        var value = current.HasValue ? updateValueFactory(stateName, current.Value) : addValue;
        await SetStateAsync(stateName, value, cancellationToken);
        return value;
    }

    public async Task<T> AddOrUpdateStateAsync<T>(string stateName, T addValue, Func<string, T, T> updateValueFactory, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        var current = await TryGetStateAsync<T>(stateName, cancellationToken);
        var value = current.HasValue ? updateValueFactory(stateName, current.Value) : addValue;
        await SetStateAsync(stateName, value, ttl, cancellationToken);
        return value;
    }

    public Task ClearCacheAsync(CancellationToken cancellationToken = default)
    {
        _tracker.Clear();
        return Task.CompletedTask;
    }

    public Task SaveStateAsync(CancellationToken cancellationToken = default)
    {
        var changes = _tracker
            .Where(t => t.Value.Dirty)
            .Select(t => (t.Key, t.Value.Removed ? null : new StoredActorState(JsonSerializer.SerializeToUtf8Bytes(t.Value.Value, t.Value.Type, RuntimeJson.Options), t.Value.Ttl)))
            .ToList();
        if (changes.Count == 0)
        {
            return Task.CompletedTask;
        }

        store.Commit(actorId, changes);
        foreach (var (name, state) in changes)
        {
            if (state is null)
            {
                _tracker.Remove(name);
            }
            else
            {
                _tracker[name] = _tracker[name] with { Dirty = false };
            }
        }

        return Task.CompletedTask;
    }

    public Task UnloadStateAsync(string stateName, UnloadStateOptions? options = null, CancellationToken cancellationToken = default)
    {
        _tracker.Remove(stateName);
        return Task.CompletedTask;
    }

    private async Task AddStateAsync<T>(string stateName, T value, TimeSpan? ttl)
    {
        if (await ContainsStateAsync(stateName))
        {
            throw new InvalidOperationException($"Actor state {stateName} already exists");
        }

        _tracker[stateName] = new Tracked(value, typeof(T), Dirty: true, Removed: false, ttl);
    }

    private sealed record Tracked(object? Value, Type Type, bool Dirty, bool Removed, TimeSpan? Ttl);
}
