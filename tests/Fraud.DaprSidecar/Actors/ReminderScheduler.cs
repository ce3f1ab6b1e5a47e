using System.Text.Json.Nodes;
using Fraud.DaprSidecar.Sidecar;

namespace Fraud.DaprSidecar.Actors;

/// <summary>A registered actor reminder as the cluster holds it (what daprd stored in the Scheduler).</summary>
/// <param name="DueTime">As registered (the .NET SDK writes <c>0h0m1s0ms</c>).</param>
/// <param name="Period">As registered; empty for a one-shot reminder.</param>
/// <param name="Data">The JSON value of the registration's <c>data</c> as sent (the .NET SDK sends a base64 string).</param>
/// <param name="NextFireAt">When it fires next (or is firing now).</param>
public sealed record ActorReminder(
    string ActorType, string ActorId, string Name, string DueTime, string Period, string? Ttl, string? Data, DateTimeOffset NextFireAt)
{
    /// <summary><see cref="Data"/> decoded when it is a JSON string holding base64, as the .NET SDK sends it.</summary>
    public byte[]? DataFromBase64() =>
        Data is not null && JsonNode.Parse(Data) is JsonValue value && value.TryGetValue<string>(out var text) ? Convert.FromBase64String(text) : null;
}

/// <summary>
/// The cluster's actor reminders, as daprd keeps them with the Scheduler service (the default
/// since Dapr 1.15): one job per (type, id, name), held by the cluster rather than one sidecar, and
/// delivered to whichever sidecar hosts the actor id when it fires.
/// <list type="bullet">
/// <item>Registering (pkg/actors/internal/reminders/storage/scheduler/scheduler.go <c>Create</c>):
/// <c>ScheduleJob</c> with <c>Overwrite: true</c>, so the same name replaces; <c>dueTime</c> as
/// given; <c>period</c> becomes <c>@every &lt;duration&gt;</c> plus the ISO 8601 repetitions
/// (<c>scheduleFromPeriod</c>: years, months or days are "unsupported period format"), an empty
/// period a one-shot job; <c>ttl</c> ends it; <c>data</c> is kept as the raw JSON value.</item>
/// <item>Firing (pkg/runtime/scheduler/internal/cluster/streamer.go <c>invokeActorReminder</c>):
/// the trigger carries name, type, id and data only, so the app gets
/// <c>PUT actors/{type}/{id}/method/remind/{name}</c> with <c>{"data":…,"dueTime":"","period":""}</c>
/// (pkg/actors/api <c>ReminderResponse.MarshalJSON</c>), under the actor's turn lock.</item>
/// <item>Failure (any status but 200, a transport error, or the .NET SDK's error header): the
/// trigger is FAILED and the Scheduler applies the job's failure policy; daprd schedules reminders
/// without one, so the Scheduler's default applies: constant, every 1 s, 3 retries
/// (tests/integration/suite/scheduler/api/failurepolicy.go), then the tick is given up (a one-shot
/// job is deleted, a periodic one moves to its next tick). A truthy <c>X-DaprReminderCancel</c>
/// answer counts as success (streamer.go <c>handleJob</c>).</item>
/// </list>
/// </summary>
internal sealed class ReminderScheduler(DaprTestCluster cluster) : IAsyncDisposable
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);
    public const int MaxRetries = 3;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Type, string Id, string Name), Job> _jobs = [];
    private readonly CancellationTokenSource _life = new();

    /// <summary>Replaces any reminder of the same name. Throws <see cref="FormatException"/> for values daprd rejects.</summary>
    public void Create(string actorType, string actorId, string name, string dueTime, string period, string? ttl, string? data)
    {
        var now = DateTimeOffset.UtcNow;
        TimeSpan? interval = null;
        int? repeats = null;
        if (period.Length > 0)
        {
            if (!DaprTime.TryParsePeriod(period, out var years, out var months, out var days, out var every, out var repetitions)
                || years > 0 || months > 0 || days > 0)
            {
                throw new FormatException($"unsupported period format: {period}");
            }

            if (every <= TimeSpan.Zero)
            {
                throw new FormatException($"unsupported period format: {period}"); // the test sidecar's choice: no zero schedule
            }

            interval = every;
            repeats = repetitions > 0 ? repetitions : null;
        }

        DateTimeOffset first;
        if (dueTime.Length > 0)
        {
            first = DaprTime.TryParseTime(dueTime, now, out var due) ? due : throw new FormatException($"error parsing reminder due time: {dueTime}");
        }
        else
        {
            first = now + (interval ?? TimeSpan.Zero);
        }

        DateTimeOffset? expiration = null;
        if (!string.IsNullOrEmpty(ttl))
        {
            // api/reminders.go setReminderTimes: the TTL counts from the first due time.
            expiration = DaprTime.TryParseTime(ttl, first, out var end) ? end : throw new FormatException($"error parsing reminder TTL: {ttl}");
            if (now > expiration || first > expiration)
            {
                throw new FormatException($"reminder {actorType}||{actorId}||{name} has already expired: dueTime: {first:O} TTL: {ttl}");
            }
        }

        var job = new Job(actorType, actorId, name, dueTime, period, ttl, data, first, interval, repeats, expiration);
        var key = (actorType, actorId, name);
        lock (_gate)
        {
            if (_jobs.Remove(key, out var replaced))
            {
                replaced.Cancel.Cancel();
            }

            _jobs[key] = job;
        }

        job.Run = Task.Run(() => RunAsync(job));
    }

    /// <summary>Deletes the job (a call in flight to the app finishes); false when there was none.</summary>
    public bool Delete(string actorType, string actorId, string name)
    {
        lock (_gate)
        {
            if (!_jobs.Remove((actorType, actorId, name), out var job))
            {
                return false;
            }

            job.Cancel.Cancel();
            return true;
        }
    }

    public ActorReminder? Get(string actorType, string actorId, string name)
    {
        lock (_gate)
        {
            return _jobs.TryGetValue((actorType, actorId, name), out var job) ? job.Snapshot() : null;
        }
    }

    /// <summary>The Scheduler's schedule string for a reminder's period (<c>@every 10s</c>), empty for a one-shot.</summary>
    public static string Schedule(ActorReminder reminder) =>
        reminder.Period.Length > 0 && DaprTime.TryParsePeriod(reminder.Period, out _, out _, out _, out var every, out _)
            ? "@every " + DaprTime.GoString(every)
            : string.Empty;

    public IReadOnlyList<ActorReminder> Snapshot()
    {
        lock (_gate)
        {
            return [.. _jobs.Values.Select(j => j.Snapshot()).OrderBy(r => r.ActorType, StringComparer.Ordinal).ThenBy(r => r.ActorId, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)];
        }
    }

    public async ValueTask DisposeAsync()
    {
        Job[] jobs;
        lock (_gate)
        {
            jobs = [.. _jobs.Values];
            _jobs.Clear();
        }

        await _life.CancelAsync().ConfigureAwait(false);
        foreach (var job in jobs)
        {
            await job.Cancel.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(jobs.Select(j => j.Run)).ConfigureAwait(false);
        _life.Dispose();
    }

    private async Task RunAsync(Job job)
    {
        var token = job.Cancel.Token;
        try
        {
            var tick = job.FirstDue;
            for (var ticks = 1; ; ticks++)
            {
                if (job.Expiration is { } end && tick > end)
                {
                    break;
                }

                lock (_gate)
                {
                    job.NextFireAt = tick;
                }

                for (var attempt = 0; ; attempt++)
                {
                    // go-etcd-cron's constant policy: retry n is due n intervals after the tick.
                    await DelayUntilAsync(tick + (RetryInterval * attempt), token).ConfigureAwait(false);
                    if (await DeliverAsync(job, token).ConfigureAwait(false) || attempt >= MaxRetries)
                    {
                        break;
                    }
                }

                if (job.Interval is not { } interval || (job.Repeats is { } repeats && ticks >= repeats))
                {
                    break;
                }

                tick += interval;
            }

            lock (_gate)
            {
                var key = (job.ActorType, job.ActorId, job.Name);
                if (_jobs.TryGetValue(key, out var current) && ReferenceEquals(current, job))
                {
                    _jobs.Remove(key);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // deleted, replaced, or the cluster stopped
        }
    }

    /// <summary>One trigger: true when the hosting sidecar's app answered it as success.</summary>
    private async Task<bool> DeliverAsync(Job job, CancellationToken token)
    {
        // The Scheduler sends an actor job only to a sidecar that hosts its type; until one does, it waits.
        TestSidecar? host;
        while ((host = cluster.FindActorHost(job.ActorType, job.ActorId)) is null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
        }

        try
        {
            // Not cancelled by deleting the job: daprd finishes a trigger it has begun.
            return await host.FireReminderAsync(job.ActorType, job.ActorId, job.Name, job.Data, _life.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or ActorCallException || (e is TaskCanceledException && !_life.IsCancellationRequested))
        {
            return false;
        }
    }

    private static async Task DelayUntilAsync(DateTimeOffset at, CancellationToken token)
    {
        TimeSpan wait;
        while ((wait = at - DateTimeOffset.UtcNow) > TimeSpan.Zero)
        {
            await Task.Delay(wait < TimeSpan.FromDays(1) ? wait : TimeSpan.FromDays(1), token).ConfigureAwait(false);
        }

        token.ThrowIfCancellationRequested();
    }

    private sealed class Job(
        string actorType, string actorId, string name, string dueTime, string period, string? ttl, string? data,
        DateTimeOffset firstDue, TimeSpan? interval, int? repeats, DateTimeOffset? expiration)
    {
        public string ActorType { get; } = actorType;

        public string ActorId { get; } = actorId;

        public string Name { get; } = name;

        public string? Data { get; } = data;

        public DateTimeOffset FirstDue { get; } = firstDue;

        public TimeSpan? Interval { get; } = interval;

        public int? Repeats { get; } = repeats;

        public DateTimeOffset? Expiration { get; } = expiration;

        public DateTimeOffset NextFireAt { get; set; } = firstDue;

        public CancellationTokenSource Cancel { get; } = new();

        public Task Run { get; set; } = Task.CompletedTask;

        public ActorReminder Snapshot() => new(ActorType, ActorId, Name, dueTime, period, ttl, Data, NextFireAt);
    }
}
