using Crm.Silo.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning).AddFilter("Npgsql", LogLevel.Warning);
builder.AddCrmTelemetry();
builder.AddCrmSilo();
await builder.Build().RunAsync();
