using BenchmarkDotNet.Running;

// Runs the BenchmarkDotNet suites; pass BenchmarkDotNet arguments, e.g. --filter '*' --exporters json.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
