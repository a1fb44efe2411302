using Akka.Actor;
using Drogulus.Core.Identity;

namespace Drogulus.Actors.Network;

/// <summary>
/// One message between two endpoints of a <see cref="MemoryNetwork"/>: the msgpack payload of one wire message
/// (no netstring; the network plays the part of TLS and framing), with the sender's id, which the network
/// vouches for as TLS would, and the actor to answer. Node transports exchange these; an actor registered
/// with <see cref="MemoryNetwork.Register"/> (a test's raw peer) sends and receives them too.
/// </summary>
/// <param name="FromId">The sender's proven node id.</param>
/// <param name="FromTransport">Where replies and later requests to the sender go.</param>
/// <param name="Payload">The encoded message; it may not decode (a test sending garbage).</param>
/// <param name="Dialled">The sender reached the receiver by its address (a dial), rather than over a connection the receiver opened.</param>
public sealed record MemoryFrame(Key FromId, IActorRef FromTransport, byte[] Payload, bool Dialled = false);
