using Crm.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddCrm(args);
var app = builder.Build();
app.UseCrm();
app.Run();

/// <summary>The entry point, public for WebApplicationFactory.</summary>
public partial class Program;
