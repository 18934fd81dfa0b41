using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

public class StoreManifestTests
{
    internal static LabSettings Settings(string variant = "all-in-one", string? revision = null, string ns = "pets") =>
        LabSettings.Parse(new Dictionary<string, string?>
        {
            ["istio-lab:storeVariant"] = variant,
            ["istio-lab:istioRevision"] = revision,
            ["istio-lab:appNamespace"] = ns,
        });

    internal static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Store(string variant = "all-in-one", string? revision = null) =>
        StoreManifest.Build(Settings(variant, revision));

    internal static IEnumerable<(string Name, V1PodTemplateSpec Template)> PodTemplates(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects) =>
        objects.Select(o => o switch
        {
            V1Deployment d => (d.Metadata.Name, d.Spec.Template),
            V1StatefulSet s => (s.Metadata.Name, s.Spec.Template),
            _ => (Name: "", Template: (V1PodTemplateSpec?)null),
        }).Where(p => p.Template is not null).Select(p => (p.Name, p.Template!));

    public static TheoryData<string> Variants => new() { "all-in-one", "quickstart" };

    [Fact]
    public void AllInOneDeploysTheNineWorkloads()
    {
        var names = PodTemplates(Store("all-in-one")).Select(p => p.Name);

        Assert.Equal(
            ["mongodb", "rabbitmq", "order-service", "makeline-service", "product-service", "store-front", "store-admin", "virtual-customer", "virtual-worker"],
            names);
    }

    [Fact]
    public void QuickstartDeploysTheFourWorkloads()
    {
        var names = PodTemplates(Store("quickstart")).Select(p => p.Name);

        Assert.Equal(["rabbitmq", "order-service", "product-service", "store-front"], names);
    }

    [Fact]
    public void DatabasesAreStatefulSetsWithTheirOwnServiceName()
    {
        var sets = Store().OfType<V1StatefulSet>().ToList();

        Assert.Equal(["mongodb", "rabbitmq"], sets.Select(s => s.Metadata.Name));
        Assert.All(sets, s => Assert.Equal(s.Metadata.Name, s.Spec.ServiceName));
        Assert.All(sets, s => Assert.Contains(Store().OfType<V1Service>(), svc => svc.Metadata.Name == s.Spec.ServiceName));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void NoServiceIsALoadBalancerOrNodePort(string variant)
    {
        var services = Store(variant).OfType<V1Service>().ToList();

        Assert.NotEmpty(services);
        Assert.All(services, s => Assert.Equal("ClusterIP", s.Spec.Type));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryServicePortNamesItsProtocolForIstio(string variant)
    {
        var ports = Store(variant).OfType<V1Service>().SelectMany(s => s.Spec.Ports).ToList();

        Assert.All(ports, p =>
        {
            Assert.Matches("^(http|tcp)(-[a-z0-9]+)?$", p.Name);
            Assert.Equal(p.Name.Split('-')[0], p.AppProtocol);
        });
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryContainerPortIsNamedWithAValidPortName(string variant)
    {
        var ports = PodTemplates(Store(variant)).SelectMany(p => p.Template.Spec.Containers).SelectMany(c => c.Ports ?? []).ToList();

        Assert.NotEmpty(ports);
        Assert.All(ports, p => Assert.Matches("^(http|tcp)(-[a-z0-9]+)?$", p.Name));
        Assert.All(ports, p => Assert.True(p.Name.Length <= 15, p.Name));
    }

    [Fact]
    public void MongoDbPortIsNamedAlthoughUpstreamLeavesItUnnamed()
    {
        var service = Store().OfType<V1Service>().Single(s => s.Metadata.Name == "mongodb");

        var port = Assert.Single(service.Spec.Ports);
        Assert.Equal("tcp-mongodb", port.Name);
        Assert.Equal("tcp", port.AppProtocol);
        Assert.Equal(27017, port.Port);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryServiceSelectsAWorkloadAndTargetsOneOfItsPorts(string variant)
    {
        var store = Store(variant);
        var templates = PodTemplates(store).ToDictionary(p => p.Name, p => p.Template);

        Assert.All(store.OfType<V1Service>(), svc =>
        {
            var template = templates[svc.Spec.Selector["app"]];
            Assert.All(svc.Spec.Selector, pair => Assert.Equal(pair.Value, template.Metadata.Labels[pair.Key]));
            var containerPorts = template.Spec.Containers.SelectMany(c => c.Ports).Select(p => p.ContainerPort).ToHashSet();
            Assert.All(svc.Spec.Ports, p => Assert.Contains(int.Parse(p.TargetPort.Value, System.Globalization.CultureInfo.InvariantCulture), containerPorts));
        });
    }

    [Fact]
    public void StoreFrontIsServedOnPort80ToItsPort8080()
    {
        var service = Store().OfType<V1Service>().Single(s => s.Metadata.Name == "store-front");

        var port = Assert.Single(service.Spec.Ports);
        Assert.Equal(80, port.Port);
        Assert.Equal("8080", port.TargetPort.Value);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryPodStartsItsAppOnlyAfterItsProxy(string variant)
    {
        Assert.All(PodTemplates(Store(variant)), p =>
            Assert.Equal("""{"holdApplicationUntilProxyStarts":true}""", p.Template.Metadata.Annotations["proxy.istio.io/config"]));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryPodRunsOnLinuxWithOneReplica(string variant)
    {
        var store = Store(variant);

        Assert.All(PodTemplates(store), p => Assert.Equal("linux", p.Template.Spec.NodeSelector["kubernetes.io/os"]));
        Assert.All(store.OfType<V1Deployment>(), d => Assert.Equal(1, d.Spec.Replicas));
        Assert.All(store.OfType<V1StatefulSet>(), s => Assert.Equal(1, s.Spec.Replicas));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void SelectorsMatchTheirPodTemplates(string variant)
    {
        var store = Store(variant);
        var selectors = store.OfType<V1Deployment>().Select(d => (d.Spec.Selector, d.Spec.Template))
            .Concat(store.OfType<V1StatefulSet>().Select(s => (s.Spec.Selector, s.Spec.Template)));

        Assert.All(selectors, pair => Assert.All(pair.Selector.MatchLabels, l => Assert.Equal(l.Value, pair.Template.Metadata.Labels[l.Key])));
    }

    [Fact]
    public void OrderServiceWaitsForRabbitMqAsTheProxyUser()
    {
        var template = PodTemplates(Store()).Single(p => p.Name == "order-service").Template;

        var wait = Assert.Single(template.Spec.InitContainers);
        Assert.Equal("wait-for-rabbitmq", wait.Name);
        Assert.Equal(1337, wait.SecurityContext.RunAsUser);
        Assert.Equal(true, wait.SecurityContext.RunAsNonRoot);
        Assert.Contains("nc -z", wait.Command.Last(), StringComparison.Ordinal);
        Assert.Equal(("rabbitmq", "5672"), (wait.Env.Single(e => e.Name == "CALLEE").Value, wait.Env.Single(e => e.Name == "PORT").Value));
        Assert.Equal("mcr.microsoft.com/azurelinux/busybox:1.36", wait.Image);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void RabbitMqCredentialsComeOnlyFromTheOneSecret(string variant)
    {
        var containers = PodTemplates(Store(variant)).SelectMany(p => p.Template.Spec.Containers.Select(c => (p.Name, Container: c))).ToList();
        var credentialVars = new[] { "RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS", "ORDER_QUEUE_USERNAME", "ORDER_QUEUE_PASSWORD" };

        var readers = containers
            .Where(c => (c.Container.Env ?? []).Any(e => e.ValueFrom?.SecretKeyRef is not null))
            .Select(c => c.Name).ToList();
        var expected = variant == "all-in-one" ? new[] { "rabbitmq", "order-service", "makeline-service" } : ["rabbitmq", "order-service"];
        Assert.Equal(expected, readers);

        Assert.All(containers.SelectMany(c => c.Container.Env ?? []), e =>
        {
            if (credentialVars.Contains(e.Name))
            {
                Assert.Null(e.Value);
                Assert.Equal(StoreCatalog.RabbitMqSecretName, e.ValueFrom.SecretKeyRef.Name);
            }

            Assert.NotEqual("password", e.Value);
            Assert.NotEqual("username", e.Value);
        });
        Assert.All(containers.SelectMany(c => c.Container.EnvFrom ?? []), source => Assert.Null(source.SecretRef));
    }

    [Fact]
    public void TheStoreHoldsNoSecretObject()
    {
        Assert.DoesNotContain(Store(), o => o is V1Secret);
        Assert.DoesNotContain(Store("quickstart"), o => o is V1Secret);
    }

    [Fact]
    public void TheCredentialsSecretCarriesTheConfiguredUserAndTheGivenPassword()
    {
        var settings = LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:rabbitmqUsername"] = "orders" });

        var secret = StoreManifest.RabbitMqSecret(settings, "s3cr3t-value");

        Assert.Equal(StoreCatalog.RabbitMqSecretName, secret.Metadata.Name);
        Assert.Equal("pets", secret.Metadata.NamespaceProperty);
        Assert.Equal("orders", secret.StringData["username"]);
        Assert.Equal("s3cr3t-value", secret.StringData["password"]);
        Assert.Null(secret.Data);
    }

    [Fact]
    public void EverySecretKeyAWorkloadReadsExistsInTheSecret()
    {
        var secret = StoreManifest.RabbitMqSecret(Settings(), "x");
        var refs = PodTemplates(Store()).SelectMany(p => p.Template.Spec.Containers).SelectMany(c => c.Env ?? [])
            .Select(e => e.ValueFrom?.SecretKeyRef).OfType<V1SecretKeySelector>().ToList();

        Assert.NotEmpty(refs);
        Assert.All(refs, r => Assert.Contains(r.Key, secret.StringData.Keys));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryConfigMapAWorkloadReadsIsPartOfTheStore(string variant)
    {
        var store = Store(variant);
        var configMaps = store.OfType<V1ConfigMap>().Select(c => c.Metadata.Name).ToHashSet();
        var templates = PodTemplates(store).Select(p => p.Template.Spec).ToList();

        var referenced = templates.SelectMany(s => s.Volumes ?? []).Select(v => v.ConfigMap?.Name)
            .Concat(templates.SelectMany(s => s.Containers).SelectMany(c => c.EnvFrom ?? []).Select(e => e.ConfigMapRef?.Name))
            .OfType<string>().ToList();

        Assert.NotEmpty(referenced);
        Assert.All(referenced, name => Assert.Contains(name, configMaps));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryObjectLivesInTheApplicationNamespace(string variant)
    {
        var store = StoreManifest.Build(Settings(variant, ns: "shop"));

        Assert.All(store, o => Assert.Equal("shop", o.Metadata.NamespaceProperty));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryObjectCarriesTheRecommendedLabels(string variant)
    {
        var store = Store(variant);
        var required = new[] { "app.kubernetes.io/name", "app.kubernetes.io/version", "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by" };

        Assert.All(store, o => Assert.All(required, key => Assert.True(o.Metadata.Labels.ContainsKey(key), $"{o.Kind}/{o.Metadata.Name} lacks {key}")));
        Assert.All(PodTemplates(store), p => Assert.Equal(p.Name, p.Template.Metadata.Labels["app.kubernetes.io/name"]));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryImageIsPinnedToATag(string variant)
    {
        var images = PodTemplates(Store(variant)).SelectMany(p => p.Template.Spec.Containers.Concat(p.Template.Spec.InitContainers ?? [])).Select(c => c.Image);

        Assert.All(images, image =>
        {
            Assert.Matches(":[0-9][0-9.]*$", image);
            Assert.DoesNotContain(":latest", image, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void StoreImagesComeFromTheDemoRegistryAtTag200()
    {
        var images = PodTemplates(Store()).Where(p => p.Name is not ("mongodb" or "rabbitmq"))
            .Select(p => p.Template.Spec.Containers.Single().Image).ToList();

        Assert.Equal(7, images.Count);
        Assert.All(images, i => Assert.StartsWith("ghcr.io/azure-samples/aks-store-demo/", i, StringComparison.Ordinal));
        Assert.All(images, i => Assert.EndsWith(":2.0.0", i, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryContainerRequestsAndLimitsCpuAndMemory(string variant)
    {
        var containers = PodTemplates(Store(variant)).SelectMany(p => p.Template.Spec.Containers.Concat(p.Template.Spec.InitContainers ?? []));

        Assert.All(containers, c =>
        {
            Assert.Equal(["cpu", "memory"], c.Resources.Requests.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(["cpu", "memory"], c.Resources.Limits.Keys.Order(StringComparer.Ordinal));
        });
    }

    [Theory]
    [InlineData("all-in-one", "100m", "256Mi")]
    [InlineData("quickstart", "75m", "128Mi")]
    public void OrderServiceLimitsFollowItsVariant(string variant, string cpu, string memory)
    {
        var limits = PodTemplates(Store(variant)).Single(p => p.Name == "order-service").Template.Spec.Containers.Single().Resources.Limits;

        Assert.Equal(cpu, limits["cpu"].ToString());
        Assert.Equal(memory, limits["memory"].ToString());
    }

    [Fact]
    public void VirtualWorkerHasTheMemoryThatKeepsItOutOfACrashLoop()
    {
        var resources = PodTemplates(Store()).Single(p => p.Name == "virtual-worker").Template.Spec.Containers.Single().Resources;

        Assert.Equal("20Mi", resources.Limits["memory"].ToString());
    }

    [Fact]
    public void RabbitMqLoadsItsPluginsFromTheConfigMap()
    {
        var template = PodTemplates(Store()).Single(p => p.Name == "rabbitmq").Template;
        var configMap = Store().OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "rabbitmq-enabled-plugins");

        var mount = Assert.Single(template.Spec.Containers.Single().VolumeMounts);
        Assert.Equal("/etc/rabbitmq/enabled_plugins", mount.MountPath);
        Assert.Equal("enabled_plugins", mount.SubPath);
        Assert.Equal("[rabbitmq_management,rabbitmq_prometheus,rabbitmq_amqp1_0].", configMap.Data["rabbitmq_enabled_plugins"]);
    }

    [Fact]
    public void ProbesKeepTheUpstreamTimings()
    {
        var container = PodTemplates(Store()).Single(p => p.Name == "order-service").Template.Spec.Containers.Single();

        Assert.Equal("/health", container.StartupProbe.HttpGet.Path);
        Assert.Equal((20, 10, 5), (container.StartupProbe.InitialDelaySeconds, container.StartupProbe.PeriodSeconds, container.StartupProbe.FailureThreshold));
        Assert.Equal((3, 5, 3), (container.ReadinessProbe.InitialDelaySeconds, container.ReadinessProbe.PeriodSeconds, container.ReadinessProbe.FailureThreshold));
        Assert.Equal((3, 3, 5), (container.LivenessProbe.InitialDelaySeconds, container.LivenessProbe.PeriodSeconds, container.LivenessProbe.FailureThreshold));
    }

    [Fact]
    public void AConfiguredRevisionRollsThePodsWhenItChanges()
    {
        var a = PodTemplates(Store(revision: "asm-1-29")).ToList();
        var b = PodTemplates(Store(revision: "asm-1-30")).ToList();

        Assert.All(a, p => Assert.Equal("asm-1-29", p.Template.Metadata.Annotations["istio-lab/mesh-revision"]));
        Assert.All(b, p => Assert.Equal("asm-1-30", p.Template.Metadata.Annotations["istio-lab/mesh-revision"]));
    }

    [Fact]
    public void AnUnsetRevisionLeavesNoRevisionAnnotation()
    {
        Assert.All(PodTemplates(Store()), p => Assert.False(p.Template.Metadata.Annotations.ContainsKey("istio-lab/mesh-revision")));
    }
}
