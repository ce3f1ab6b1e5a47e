namespace Fraud.DaprSidecar.Sidecar;

/// <summary>
/// Dapr placement: which sidecar hosts an actor. Hosts register the types their app reports in
/// <c>/dapr/config</c> <c>entities</c>; an id goes to one host by a stable hash (daprd uses a
/// consistent-hash ring disseminated by the placement service, pkg/placement/hashing), so an
/// actor moves only when hosts come or go.
/// </summary>
public sealed class ActorPlacement
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<TestSidecar>> _hosts = new(StringComparer.Ordinal);

    public void Register(string actorType, TestSidecar host)
    {
        lock (_lock)
        {
            if (!_hosts.TryGetValue(actorType, out var hosts))
            {
                _hosts[actorType] = hosts = [];
            }

            hosts.Add(host);
        }
    }

    public void Unregister(TestSidecar host)
    {
        lock (_lock)
        {
            foreach (var hosts in _hosts.Values)
            {
                hosts.Remove(host);
            }
        }
    }

    public TestSidecar? Find(string actorType, string actorId)
    {
        lock (_lock)
        {
            if (!_hosts.TryGetValue(actorType, out var hosts) || hosts.Count == 0)
            {
                return null;
            }

            var ordered = hosts.OrderBy(h => h.AppId, StringComparer.Ordinal).ThenBy(h => h.HttpPort).ToList();
            return ordered[(int)(Hash(actorType + "||" + actorId) % (uint)ordered.Count)];
        }
    }

    private static uint Hash(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
