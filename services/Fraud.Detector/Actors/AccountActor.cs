using Dapr.Actors.Runtime;
using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Detector.Profiles;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Actors;

/// <summary>
/// One account's behaviour profile (Dapr actor type <c>AccountActor</c>, id = account id). Dapr runs
/// an actor's calls one at a time, so the profile needs no lock however many detector replicas
/// deliver its transactions. State: the profile's compact binary form under <c>profile</c> in the
/// <c>actorstate</c> store, with the idle-eviction period as its TTL so dormant accounts cost nothing.
/// </summary>
public sealed class AccountActor(ActorHost host, IOptions<ProfileOptions> options) : Actor(host), IAccountActor
{
    public const string StateName = "profile";

    /// <summary>State holding the ids of the last frauds credited to the account, oldest first.</summary>
    public const string CreditedStateName = "credited-labels";

    private const int CreditedMemory = 64;

    private readonly ProfileOptions _options = options.Value;
    private AccountProfile? _profile;

    public async Task<AccountObservation> ObserveAsync(AccountBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var profile = await LoadAsync().ConfigureAwait(false);
        var width = FeatureVector.Length;
        var features = new float[batch.Transactions.Count * width];
        var fresh = new bool[batch.Transactions.Count];
        var changed = false;
        for (var i = 0; i < batch.Transactions.Count; i++)
        {
            var view = new TransactionView(batch.Transactions[i]);
            var row = features.AsSpan(i * width, width);
            if (batch.Peek)
            {
                profile.Peek(view, row, _options.SmallAmount);
                fresh[i] = true;
            }
            else
            {
                fresh[i] = profile.Observe(view, row, _options.SmallAmount);
                changed |= fresh[i];
            }
        }

        if (changed)
        {
            await SaveAsync(profile).ConfigureAwait(false);
        }

        return new AccountObservation(features, fresh);
    }

    public async Task ApplyLabelAsync(FraudLabel label)
    {
        if (!label.IsFraud)
        {
            return;
        }

        // Verdicts arrive at least once (Dapr redelivers, an analyst saves a review twice): credit each fraud once.
        var credited = await LoadCreditedAsync().ConfigureAwait(false);
        if (credited.Contains(label.TransactionId))
        {
            return;
        }

        var profile = await LoadAsync().ConfigureAwait(false);
        profile.AddKnownFraud(TimeKey.Seconds(label.TransactionTime), StableHash.Of(label.TransactionId));
        credited.Add(label.TransactionId);
        if (credited.Count > CreditedMemory)
        {
            credited.RemoveRange(0, credited.Count - CreditedMemory);
        }

        // Both values are written in the one state transaction the runtime makes after this method.
        await SaveAsync(profile).ConfigureAwait(false);
        await StateManager.SetStateAsync(CreditedStateName, credited.ToArray(), _options.AccountIdleEviction).ConfigureAwait(false);
    }

    /// <summary>Lets a test give the actor an in-memory state manager (the Dapr SDK's documented pattern).</summary>
    internal AccountActor UseStateManager(IActorStateManager stateManager)
    {
        StateManager = stateManager;
        return this;
    }

    private async Task<AccountProfile> LoadAsync()
    {
        if (_profile is not null)
        {
            return _profile;
        }

        try
        {
            var stored = await StateManager.TryGetStateAsync<byte[]>(StateName).ConfigureAwait(false);
            _profile = stored.HasValue ? AccountProfileSerializer.Deserialize(stored.Value) : new AccountProfile();
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            // A blob of another format version, or a value that is not a blob at all (the state
            // provider cannot even read it as bytes): start the account afresh rather than fail its payments.
            Logger.LogWarning(e, "Account {Account}: stored profile unreadable, starting a new one", Id);
            _profile = new AccountProfile();
        }

        return _profile;
    }

    /// <summary>
    /// The runtime saves the state after a method returns and, when the method or that save fails,
    /// drops the state manager's cache. The profile held here must go too: it may already hold the
    /// batch that was never stored, and would answer Dapr's retry of it as a redelivery (fresh =
    /// false), so the batch would never be counted nor saved.
    /// </summary>
    protected override Task OnActorMethodFailedAsync(ActorMethodContext actorMethodContext, Exception e)
    {
        _profile = null;
        return base.OnActorMethodFailedAsync(actorMethodContext, e);
    }

    private async Task<List<string>> LoadCreditedAsync()
    {
        try
        {
            var stored = await StateManager.TryGetStateAsync<string[]>(CreditedStateName).ConfigureAwait(false);
            return stored.HasValue && stored.Value is { } ids ? [.. ids] : [];
        }
        catch (System.Text.Json.JsonException e)
        {
            Logger.LogWarning(e, "Account {Account}: credited labels unreadable, starting a new list", Id);
            return [];
        }
    }

    private Task SaveAsync(AccountProfile profile) =>
        StateManager.SetStateAsync(StateName, AccountProfileSerializer.Serialize(profile), _options.AccountIdleEviction);
}
