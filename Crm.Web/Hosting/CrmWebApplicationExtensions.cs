using Crm.Web.Duplicates;
using Crm.Web.Merges;
using Crm.Web.Analytics;
using Crm.Web.DataQuality;
using Crm.Web.Exports;
using Crm.Web.Segments;
using Crm.Web.Imports;
using Crm.Web.Api;
using Crm.Web.Customers;
using Crm.Web.Ingestion;
using Crm.Web.RealTime;
using Crm.Web.Security;
using Crm.Web.Timeline;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Crm.Web.Hosting;

public static class CrmWebApplicationExtensions
{
    public static WebApplication UseCrm(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestDecompression();
        app.UseRouting();
        app.UseMiddleware<RequestBodyLimit>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        app.MapAuthApi();
        app.MapUsersApi();
        app.MapCustomersApi();
        app.MapTimelineApi();
        app.MapSourcesApi();
        app.MapTrackingApi();
        app.MapWebhooksApi();
        app.MapAnalyticsApi();
        app.MapImportsApi();
        app.MapExportsApi();
        app.MapFieldsApi();
        app.MapSegmentsApi();
        app.MapDuplicatesApi();
        app.MapMergesApi();
        app.MapDataQualityApi();
        app.MapHub<CrmHub>(CrmHub.Path);
        return app;
    }
}
