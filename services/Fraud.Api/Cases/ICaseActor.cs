using Dapr.Actors;

namespace Fraud.Api.Cases;

/// <summary>The case actor's method: one per account (actor id = account id), hosted by fraud-api.</summary>
public interface ICaseActor : IActor
{
    Task<CaseOutcome> ExecuteAsync(CaseCommand command);
}
