using Akka.Actor;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// Holds the one <see cref="AdmissionActor"/> of an actor system (in practice, of a process), so that every transport
/// and connection of the system asks the same one. It holds the reference only: the policy is the actor's.
/// </summary>
internal sealed class AdmissionExtension : IExtension
{
    private AdmissionExtension(ExtendedActorSystem system) =>
        Admission = system.SystemActorOf(AdmissionActor.Props(), "drogulus-admission");

    /// <summary>The admission actor.</summary>
    public IActorRef Admission { get; }

    /// <summary>The admission actor of <paramref name="system"/>.</summary>
    public static IActorRef Get(ActorSystem system) => system.WithExtension<AdmissionExtension, Provider>().Admission;

    private sealed class Provider : ExtensionIdProvider<AdmissionExtension>
    {
        public override AdmissionExtension CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
