namespace Fraud.Runtime;

/// <summary>
/// Dapr names that both services, the manifests, the components and other teams' services depend
/// on (the detector's own are in <c>DetectorNames</c>). Deployment tests check the YAML against these.
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
    public const string FeedbackDeadLetterTopic = "feedback-deadletter";

    /// <summary>Where a malformed message of <paramref name="topic"/> is dead-lettered.</summary>
    public static string DeadLetterTopicOf(string topic) => topic switch
    {
        TransactionsTopic => TransactionsDeadLetterTopic,
        FeedbackTopic => FeedbackDeadLetterTopic,
        _ => throw new ArgumentOutOfRangeException(nameof(topic), topic, "no dead letter topic for this topic"),
    };
    public const string AnomalyStateStore = "anomalies";

    /// <summary>The header of both Dapr API tokens: the sidecar to the app (<c>APP_API_TOKEN</c>) and the app to the sidecar (<c>DAPR_API_TOKEN</c>).</summary>
    public const string AppApiTokenHeader = "dapr-api-token";
}
