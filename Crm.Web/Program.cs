using Crm.Web.Analytics;
using Crm.Web.Hosting;
using Crm.Web.Tenants;

if (args is ["tenant", ..])
{
    return await TenantCommand.RunAsync(args);
}

if (args is ["analytics", ..])
{
    return await AnalyticsCommand.RunAsync(args, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddCrm(args);
var app = builder.Build();
app.UseCrm();
app.Run();
return 0;

/// <summary>The entry point, public for WebApplicationFactory.</summary>
public partial class Program;
