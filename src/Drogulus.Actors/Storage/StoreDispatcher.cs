using Akka.Actor;
using Drogulus.Actors.Configuration;

namespace Drogulus.Actors.Storage;

/// <summary>
/// The dispatcher the <see cref="DataStoreActor"/> runs on (issue 10): <c>drogulus.store-dispatcher</c>, a pool
/// of threads of its own, so that SQLite's blocking reads, writes and fsyncs never hold a thread of the default
/// dispatcher, which serves the routing table, connections and lookups. The store stays owned by one actor and
/// is called serially, only on other threads. Like every Akka dispatcher it is read from the actor system's
/// configuration; a system that does not define it (one built without the <see cref="Node.DrogulusExtension"/>)
/// gets <c>reference.conf</c> as a fallback, the way the extension injects it.
/// </summary>
internal static class StoreDispatcher
{
    /// <summary>The dispatcher id, the path of its block in the actor system's configuration.</summary>
    public const string Id = "drogulus.store-dispatcher";

    // Nodes of one system start on several threads at once. Without this lock, two of them each injected the
    // fallback, and one of them read the dispatchers while the other's injection was replacing them: its data store
    // failed with "Dispatcher [drogulus.store-dispatcher] not configured" (1 node of 100 in a demo run under stress).
    private static readonly object Gate = new();

    /// <summary>Makes sure <paramref name="system"/> knows the dispatcher and returns its id.</summary>
    public static string Ensure(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        lock (Gate)
        {
            if (!system.Dispatchers.HasDispatcher(Id))
            {
                system.Settings.InjectTopLevelFallback(DrogulusConfig.Reference);
            }
        }

        return Id;
    }
}
