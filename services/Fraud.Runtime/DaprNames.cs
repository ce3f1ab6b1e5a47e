namespace Fraud.Runtime;

/// <summary>
/// Names that manifests, components and other services depend on (see DESIGN.md, "Names that
/// other files depend on"). Deployment tests check the YAML against these.
/// </summary>
public static class DaprNames
{
    public const string ApiAppId = "fraud-api";
    public const string DetectorAppId = "fraud-detector";
    public const string PubSub = "pubsub";
    public const string TransactionsTopic = "transactions";
    public const string AnomaliesTopic = "anomalies";
    public const string FeedbackTopic = "feedback";
    public const string TransactionsDeadLetterTopic = "transactions-deadletter";
    public const string AnomalyStateStore = "anomalies";
    public const string ActorStateStore = "actorstate";
    public const string AccountActorType = "AccountActor";
    public const string ConsumerGroup = "fraud-detector";

    /// <summary>Header Dapr sends to the app when the sidecar has <c>APP_API_TOKEN</c> set.</summary>
    public const string AppApiTokenHeader = "dapr-api-token";
}
