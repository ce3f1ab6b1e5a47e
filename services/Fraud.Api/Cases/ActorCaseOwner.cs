using Dapr.Actors;
using Dapr.Actors.Client;

namespace Fraud.Api.Cases;

/// <summary>Under Dapr, an account's case commands go to its <see cref="CaseActor"/>, wherever placement put it.</summary>
public sealed class ActorCaseOwner(IActorProxyFactory proxies) : ICaseOwner
{
    public Task<CaseOutcome> ExecuteAsync(string accountId, CaseCommand command, CancellationToken cancellationToken) =>
        proxies.Create(new ActorId(accountId), CaseActor.TypeName)
            .InvokeMethodAsync<CaseCommand, CaseOutcome>(nameof(ICaseActor.ExecuteAsync), command, cancellationToken);
}
