using System.Collections.Concurrent;

namespace Fraud.DaprSidecar.PubSub;

/// <summary>
/// An in-memory Kafka with the semantics the design relies on: a topic is a fixed number of
/// partitions, each an append-only log; a message with a key goes to the partition its key hashes
/// to, so one key keeps its order; a consumer group reads each partition through one member at a
/// time and resumes from the group's committed offset, so what was not committed is read again.
/// </summary>
public sealed class Broker(int partitions = 4)
{
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Topic, string Group), ConsumerGroup> _groups = new();

    public int Partitions { get; } = partitions;

    public Topic this[string topic] => _topics.GetOrAdd(topic, name => new Topic(name, Partitions));

    public ConsumerGroup Group(string topic, string group) => _groups.GetOrAdd((topic, group), key => new ConsumerGroup(this[key.Topic], key.Group));

    /// <summary>
    /// Appends to the key's partition, or, with no key, spreads messages over the partitions.
    /// The Kafka component hands the key to sarama, whose default partitioner hashes it (FNV-1a
    /// 32-bit, <c>sarama.NewHashPartitioner</c>); any stable hash keeps the property tests rely on.
    /// </summary>
    public Message Publish(string topic, string? key, ReadOnlyMemory<byte> value, string contentType)
    {
        var log = this[topic];
        var partition = key is null ? Random.Shared.Next(Partitions) : (int)(Fnv1a(key) % (uint)Partitions);
        return log.Append(partition, key, value.ToArray(), contentType);
    }

    /// <summary>Every message of a topic in partition and offset order (for assertions).</summary>
    public IReadOnlyList<Message> Read(string topic) => this[topic].All();

    private static uint Fnv1a(string key)
    {
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(key))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }
}

public sealed record Message(string Topic, int Partition, long Offset, string? Key, byte[] Value, string ContentType);

public sealed class Topic(string name, int partitions)
{
    private readonly List<Message>[] _logs = Enumerable.Range(0, partitions).Select(_ => new List<Message>()).ToArray();
    private readonly Lock _lock = new();
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    public int Partitions { get; } = partitions;

    public Message Append(int partition, string? key, byte[] value, string contentType)
    {
        TaskCompletionSource appended;
        Message message;
        lock (_lock)
        {
            var log = _logs[partition];
            message = new Message(Name, partition, log.Count, key, value, contentType);
            log.Add(message);
            appended = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        appended.TrySetResult();
        return message;
    }

    /// <summary>Up to <paramref name="max"/> messages of a partition from <paramref name="offset"/>, and a task that completes at the next append.</summary>
    public (IReadOnlyList<Message> Messages, Task Appended) Read(int partition, long offset, int max)
    {
        lock (_lock)
        {
            var log = _logs[partition];
            var count = (int)Math.Clamp(log.Count - offset, 0, max);
            return (log.GetRange((int)offset, count), _appended.Task);
        }
    }

    public long End(int partition)
    {
        lock (_lock)
        {
            return _logs[partition].Count;
        }
    }

    public IReadOnlyList<Message> All()
    {
        lock (_lock)
        {
            return _logs.SelectMany(l => l).ToList();
        }
    }
}

/// <summary>
/// A consumer group on one topic: partitions are spread over the members (a rebalance at every
/// join and leave bumps the generation), and an offset is committed only by the member that owns
/// the partition in the current generation, as Kafka refuses commits from a stale generation.
/// </summary>
public sealed class ConsumerGroup(Topic topic, string name)
{
    private readonly Lock _lock = new();
    private readonly List<object> _members = [];
    private readonly long[] _committed = new long[topic.Partitions];
    private TaskCompletionSource _rebalanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    public Topic Topic { get; } = topic;

    public int Generation { get; private set; }

    /// <summary>Completes at the next rebalance.</summary>
    public Task Rebalanced
    {
        get
        {
            lock (_lock)
            {
                return _rebalanced.Task;
            }
        }
    }

    public void Join(object member) => Change(() => _members.Add(member));

    public void Leave(object member) => Change(() => _members.Remove(member));

    /// <summary>The partitions <paramref name="member"/> owns now (round-robin over members in join order), and the generation.</summary>
    public (IReadOnlyList<int> Partitions, int Generation) Assignment(object member)
    {
        lock (_lock)
        {
            var index = _members.IndexOf(member);
            if (index < 0)
            {
                return ([], Generation);
            }

            var owned = Enumerable.Range(0, Topic.Partitions).Where(p => p % _members.Count == index).ToList();
            return (owned, Generation);
        }
    }

    public long Committed(int partition)
    {
        lock (_lock)
        {
            return _committed[partition];
        }
    }

    /// <summary>Commits <paramref name="next"/> as the partition's next offset; false when the generation is stale.</summary>
    public bool Commit(int partition, long next, int generation)
    {
        lock (_lock)
        {
            if (generation != Generation)
            {
                return false;
            }

            _committed[partition] = Math.Max(_committed[partition], next);
            return true;
        }
    }

    /// <summary>Messages published but not committed (Kafka's consumer lag, what KEDA scales on).</summary>
    public long Lag()
    {
        lock (_lock)
        {
            return Enumerable.Range(0, Topic.Partitions).Sum(p => Topic.End(p) - _committed[p]);
        }
    }

    private void Change(Action change)
    {
        TaskCompletionSource rebalanced;
        lock (_lock)
        {
            change();
            Generation++;
            rebalanced = _rebalanced;
            _rebalanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        rebalanced.TrySetResult();
    }
}
