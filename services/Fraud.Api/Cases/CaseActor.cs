using System.Text;
using Dapr.Actors.Runtime;

namespace Fraud.Api.Cases;

/// <summary>
/// An account's case under Dapr: the actor's turn-based lock runs its commands one at a time across
/// every fraud-api replica, and a one-shot reminder named <c>deadline</c> fires at the open case's
/// deadline. The case itself is in the ledger, where the queue reads it; the actor keeps no state
/// of its own. The reminder carries the case id in its data: daprd's scheduler calls the app back
/// with the data only (dapr pkg/runtime/scheduler/internal/cluster/streamer.go, invokeActorReminder;
/// pkg/actors/api ReminderResponse: dueTime and period are empty). A reminder whose call fails is
/// retried three times a second apart and then given up (the scheduler's default failure policy),
/// which is why <see cref="CaseDeadlineScanner"/> also runs under Dapr, as a backstop.
/// </summary>
public sealed class CaseActor(ActorHost host, CaseService cases, TimeProvider time) : Actor(host), ICaseActor, IRemindable
{
    public const string TypeName = "CaseActor";

    internal const string DeadlineReminder = "deadline";

    public async Task<CaseOutcome> ExecuteAsync(CaseCommand command)
    {
        var outcome = await cases.ExecuteAsync(Id.GetId(), command, CancellationToken.None).ConfigureAwait(false);
        await KeepDeadlineAsync(outcome).ConfigureAwait(false);
        return outcome;
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName != DeadlineReminder || state is not { Length: > 0 })
        {
            return;
        }

        var escalate = new CaseCommand(CaseCommandKind.Escalate, CaseRules.System, Encoding.UTF8.GetString(state));
        var outcome = await cases.ExecuteAsync(Id.GetId(), escalate, CancellationToken.None).ConfigureAwait(false);
        await KeepDeadlineAsync(outcome).ConfigureAwait(false);
    }

    /// <summary>Sets the reminder at a new deadline (registering again under the same name replaces it), or removes it when the case closed before it.</summary>
    private async Task KeepDeadlineAsync(CaseOutcome outcome)
    {
        if (outcome.Deadline is { } due && outcome.Case is { } open)
        {
            var wait = due - time.GetUtcNow();
            await RegisterReminderAsync(DeadlineReminder, Encoding.UTF8.GetBytes(open.CaseId), wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan)
                .ConfigureAwait(false);
        }
        else if (outcome.DeadlineCleared)
        {
            await UnregisterReminderAsync(DeadlineReminder).ConfigureAwait(false);
        }
    }
}
