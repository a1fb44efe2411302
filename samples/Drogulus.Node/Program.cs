using System.CommandLine;
using Drogulus.Node;

// drogulus-node: keygen, start, put, get, status. Every failure is one line on stderr and a non-zero exit.
var root = new RootCommand("A Drogulus DHT node: signed values, Kademlia lookups, mutually authenticated TLS.");
root.Subcommands.Add(KeygenCommand.Create());
root.Subcommands.Add(StartCommand.Create());
root.Subcommands.Add(ClientCommands.Put());
root.Subcommands.Add(ClientCommands.Get());
root.Subcommands.Add(ClientCommands.Unput());
root.Subcommands.Add(ClientCommands.Status());

try
{
    // Failures are reported here as one line; SIGINT/SIGTERM are handled by `start` itself so that it can
    // save its routing table before the process ends.
    var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
    return await root.Parse(args).InvokeAsync(invocation);
}
catch (CliException e)
{
    // Some messages span lines (the HOCON parser points at the bad token on a second line): keep them on one.
    var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    Console.Error.WriteLine("drogulus-node: " + string.Join(' ', lines));
    return 1;
}
