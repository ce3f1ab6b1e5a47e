namespace Fraud.Detector;

/// <summary>
/// The detector's own names and routes, which its manifests, Dapr components and KEDA scaler depend
/// on; the deployment tests check the YAML against them.
/// </summary>
public static class DetectorNames
{
    /// <summary>Port of fraud-detector in a container and in <c>dapr run -f .</c>.</summary>
    public const int Port = 8081;

    /// <summary>
    /// The state store of the account profiles (keys: account ids). It is also the one with
    /// <c>actorStateStore: "true"</c>, for actors to come; no actor type is registered today.
    /// </summary>
    public const string ProfileStore = "actorstate";

    /// <summary>
    /// The Kafka consumer group, set in the pub/sub component and in the KEDA scaler (prod and local
    /// runs; the dev overlay uses <c>fraud-detector-dev</c> on its own Kafka cluster).
    /// </summary>
    public const string ConsumerGroup = "fraud-detector";

    public const string TransactionsSubscription = "/subscriptions/transactions";

    public const string FeedbackSubscription = "/subscriptions/feedback";
}
