using Drogulus.Actors.Storage.Sqlite;
using Drogulus.StoreWriter;

// Writes WriterItems rows 0, 1, 2, ... to the SQLite item store at args[0] and prints
// "ack <index> <key hex>" after each Upsert returns, until args[1] rows (default: until killed).
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: Drogulus.StoreWriter <database path> [row count]");
    return 2;
}

var count = args.Length == 2 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : int.MaxValue;
using var store = SqliteItemStore.Open(args[0]);
for (var index = 0; index < count; index++)
{
    var row = WriterItems.Row(index);
    store.Upsert(row);
    Console.Out.WriteLine($"ack {index} {row.Key}");
    Console.Out.Flush();
}

return 0;
