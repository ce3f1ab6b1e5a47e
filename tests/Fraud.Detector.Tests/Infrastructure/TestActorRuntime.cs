using System.Reflection;
using System.Text.Json;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Detector;
using Fraud.Detector.Actors;
using Fraud.Detector.Profiles;
using Fraud.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Tests.Infrastructure;

/// <summary>
/// Stands in for the Dapr actor runtime behind <see cref="IActorProxyFactory"/>: each account id gets
/// a real <see cref="AccountActor"/> made with <see cref="ActorHost.CreateForTest{TActor}(ActorTestOptions)"/>
/// over an <see cref="InMemoryActorStateManager"/>; calls are turn-based per actor, arguments and
/// answers cross a JSON boundary with the actors' serializer options (as through the sidecar), and
/// the SDK's own lifecycle hooks run around each call: activation, the state save after the method,
/// and the failure hook plus cache reset when the method or the save throws.
/// </summary>
public sealed class TestActorRuntime(ProfileOptions? options = null) : IActorProxyFactory
{
    private static readonly MethodInfo Activate = Internal(typeof(Actor), "OnActivateInternalAsync");
    private static readonly MethodInfo Deactivate = Internal(typeof(Actor), "OnDeactivateInternalAsync");
    private static readonly MethodInfo PostMethod = Internal(typeof(Actor), "OnPostActorMethodAsyncInternal");
    private static readonly MethodInfo MethodFailed = Internal(typeof(Actor), "OnActorMethodFailedInternalAsync");
    private static readonly MethodInfo CreateContext = typeof(ActorMethodContext).GetMethod("CreateForActor", BindingFlags.NonPublic | BindingFlags.Static)
        ?? throw new MissingMethodException(nameof(ActorMethodContext), "CreateForActor");

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Activation> _active = new(StringComparer.Ordinal);
    private readonly List<ActorCall> _calls = [];
    private readonly IOptions<ProfileOptions> _options = Options.Create(options ?? new ProfileOptions());

    public ActorStateStore Store { get; } = new();

    /// <summary>Every call that reached an actor, in arrival order.</summary>
    public IReadOnlyList<ActorCall> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public int Activations { get; private set; }

    /// <summary>The account's profile as persisted in the state store, or null.</summary>
    public AccountProfile? StoredProfile(string accountId) =>
        Store.Read<byte[]>(accountId, AccountActor.StateName) is { } blob ? AccountProfileSerializer.Deserialize(blob) : null;

    public IAccountActor Proxy(string accountId) => new AccountActorProxy(this, accountId);

    /// <summary>Deactivates the account's actor (idle timeout, rebalancing): the next call activates a new instance over the stored state.</summary>
    public async Task DeactivateAsync(string accountId)
    {
        Activation? activation;
        lock (_lock)
        {
            _active.Remove(accountId, out activation);
        }

        if (activation is not null)
        {
            await activation.Turn.WaitAsync();
            try
            {
                await (Task)Deactivate.Invoke(activation.Actor, [])!;
            }
            finally
            {
                activation.Turn.Release();
            }
        }
    }

    public TActorInterface CreateActorProxy<TActorInterface>(ActorId actorId, string actorType, ActorProxyOptions? options = null)
        where TActorInterface : IActor
    {
        Assert.Equal(DetectorNames.AccountActorType, actorType);
        return typeof(TActorInterface) == typeof(IAccountActor)
            ? (TActorInterface)(object)Proxy(actorId.GetId())
            : throw new NotSupportedException($"no actor implements {typeof(TActorInterface)}");
    }

    public object CreateActorProxy(ActorId actorId, Type actorInterfaceType, string actorType, ActorProxyOptions? options = null) =>
        actorInterfaceType == typeof(IAccountActor) ? Proxy(actorId.GetId()) : throw new NotSupportedException(actorInterfaceType.FullName);

    public ActorProxy Create(ActorId actorId, string actorType, ActorProxyOptions? options = null) =>
        throw new NotSupportedException("the services call actors through their interface only");

    private async Task<TResult> DispatchAsync<TArgument, TResult>(string accountId, string method, TArgument argument,
        Func<AccountActor, TArgument, Task<TResult>> invoke)
    {
        // Through the sidecar: the argument and the answer are JSON.
        var sent = JsonSerializer.Deserialize<TArgument>(JsonSerializer.SerializeToUtf8Bytes(argument, RuntimeJson.Options), RuntimeJson.Options)!;
        var activation = await ActivationAsync(accountId);
        await activation.Turn.WaitAsync();
        try
        {
            lock (_lock)
            {
                _calls.Add(new ActorCall(accountId, method, sent, activation.Instance));
            }

            var context = CreateContext.Invoke(null, [method])!;
            TResult result;
            try
            {
                result = await invoke(activation.Actor, sent);
                await (Task)PostMethod.Invoke(activation.Actor, [context])!;
            }
            catch (Exception e)
            {
                await (Task)MethodFailed.Invoke(activation.Actor, [context, e])!;
                throw;
            }

            return JsonSerializer.Deserialize<TResult>(JsonSerializer.SerializeToUtf8Bytes(result, RuntimeJson.Options), RuntimeJson.Options)!;
        }
        finally
        {
            activation.Turn.Release();
        }
    }

    private async Task<Activation> ActivationAsync(string accountId)
    {
        Activation activation;
        bool created;
        lock (_lock)
        {
            created = !_active.TryGetValue(accountId, out activation!);
            if (created)
            {
                var host = ActorHost.CreateForTest<AccountActor>(DetectorNames.AccountActorType, new ActorTestOptions
                {
                    ActorId = new ActorId(accountId),
                    JsonSerializerOptions = RuntimeJson.Options,
                    LoggerFactory = NullLoggerFactory.Instance,
                    ProxyFactory = this,
                });
                var actor = new AccountActor(host, _options).UseStateManager(new InMemoryActorStateManager(Store, accountId));
                activation = new Activation(actor, ++Activations);
                _active[accountId] = activation;
            }
        }

        if (created)
        {
            await activation.Turn.WaitAsync();
            try
            {
                await (Task)Activate.Invoke(activation.Actor, [])!;
            }
            finally
            {
                activation.Turn.Release();
            }
        }

        return activation;
    }

    private static MethodInfo Internal(Type type, string name) =>
        type.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Instance) ?? throw new MissingMethodException(type.Name, name);

    private sealed class Activation(AccountActor actor, int instance)
    {
        public AccountActor Actor { get; } = actor;

        public int Instance { get; } = instance;

        public SemaphoreSlim Turn { get; } = new(1, 1);
    }

    private sealed class AccountActorProxy(TestActorRuntime runtime, string accountId) : IAccountActor
    {
        public Task<AccountObservation> ObserveAsync(AccountBatch batch) =>
            runtime.DispatchAsync(accountId, nameof(ObserveAsync), batch, (actor, sent) => actor.ObserveAsync(sent));

        public Task ApplyLabelAsync(FraudLabel label) =>
            runtime.DispatchAsync(accountId, nameof(ApplyLabelAsync), label, async (actor, sent) =>
            {
                await actor.ApplyLabelAsync(sent);
                return true;
            });
    }
}

/// <summary>A call that reached an actor: which account, which method, the argument as received, and which activation served it.</summary>
public sealed record ActorCall(string AccountId, string Method, object Argument, int Instance);
