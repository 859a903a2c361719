package httpproto

import (
	"bytes"
	"regexp"
	"strings"
)

// webApp is a well-known web application recognised in a GET / answer.
type webApp struct {
	Service            string // Service.Name when not "http"
	Product, Version   string
	Vendor, CPEProduct string // empty when NVD has no name for it
	// Hosted apps run on the web server that answered (WordPress on
	// Apache): the server stays the product and the app goes to Extra.
	// Other apps are their own HTTP server (Grafana) and become the product.
	Hosted  bool
	Certain bool // named by a header or its own page, not guessed from a redirect
}

// webAppCheck recognises one application; title is the page's HTML title.
type webAppCheck func(r *response, title string) (webApp, bool)

// webAppChecks lists the recognised applications, most specific evidence
// first. Signatures (and the version each was written against):
//   - Jenkins 2.x: X-Jenkins header carries the version.
//   - Kibana 7/8: kbn-name or kbn-license-sig header; kbn-version when sent.
//   - GitLab 15/16: X-Gitlab-Meta header or the _gitlab_session cookie.
//   - Grafana 9/10: window.grafanaBootData buildInfo, the "Grafana" title,
//     or the redirect to /login that sets the redirect_to cookie.
//   - Prometheus 2.x/3.x: the UI title, or Go's redirect to /graph (/query in 3.x).
//   - Alertmanager 0.2x: its UI title.
//   - Prometheus exporters (node_exporter 1.x, blackbox_exporter): the
//     exporter-toolkit landing page title "... Exporter".
//   - Traefik 2/3: the dashboard title, or Go's redirect to /dashboard/.
//   - RabbitMQ 3.x management plugin: its UI title.
//   - Apache Tomcat 9/10: default page title or error page footer.
//   - phpMyAdmin 4/5 (hosted): title or phpMyAdmin cookie; version from the
//     "?v=5.2.1" cache-busting suffix of its assets.
//   - WordPress 5/6 (hosted): generator meta tag, the api.w.org Link
//     header, or /wp-content/ paths.
func webAppChecks() []webAppCheck {
	return []webAppCheck{
		checkJenkins, checkKibana, checkGitLab, checkGrafana, checkPrometheusUI,
		checkAlertmanager, checkExporterPage, checkTraefik, checkRabbitMQ,
		checkTomcat, checkPhpMyAdmin, checkWordPress,
	}
}

// identifyWebApp runs the checks in order; the first match wins.
func identifyWebApp(r *response, title string) (webApp, bool) {
	for _, check := range webAppChecks() {
		if app, ok := check(r, title); ok {
			return app, true
		}
	}
	return webApp{}, false
}

func checkJenkins(r *response, _ string) (webApp, bool) {
	v, ok := r.Header["X-Jenkins"]
	if !ok {
		return webApp{}, false
	}
	return webApp{Product: "Jenkins", Version: cleanVersion(strings.Join(v, "")),
		Vendor: "jenkins", CPEProduct: "jenkins", Certain: true}, true
}

func checkKibana(r *response, _ string) (webApp, bool) {
	if r.Header.Get("Kbn-Name") == "" && r.Header.Get("Kbn-License-Sig") == "" {
		return webApp{}, false
	}
	return webApp{Product: "Kibana", Version: cleanVersion(r.Header.Get("Kbn-Version")),
		Vendor: "elastic", CPEProduct: "kibana", Certain: true}, true
}

func checkGitLab(r *response, _ string) (webApp, bool) {
	if r.Header.Get("X-Gitlab-Meta") == "" && !hasCookie(r, "_gitlab_session") {
		return webApp{}, false
	}
	return webApp{Product: "GitLab", Vendor: "gitlab", CPEProduct: "gitlab", Certain: true}, true
}

// grafanaBuild matches the version in Grafana's boot data.
var grafanaBuild = regexp.MustCompile(`"buildInfo":\{[^}]*?"version":"([0-9][0-9A-Za-z.+-]*)"`)

func checkGrafana(r *response, title string) (webApp, bool) {
	app := webApp{Product: "Grafana", Vendor: "grafana", CPEProduct: "grafana"}
	if m := grafanaBuild.FindSubmatch(r.Body); m != nil {
		app.Version, app.Certain = cleanVersion(string(m[1])), true
		return app, true
	}
	if title == "Grafana" {
		app.Certain = true
		return app, true
	}
	if isRedirect(r) && r.Header.Get("Location") == "/login" && hasCookie(r, "redirect_to") {
		return app, true
	}
	return webApp{}, false
}

func checkPrometheusUI(r *response, title string) (webApp, bool) {
	app := webApp{Service: namePrometheus, Product: "Prometheus", Vendor: "prometheus", CPEProduct: "prometheus"}
	if title == "Prometheus Time Series Collection and Processing Server" || title == "Prometheus" {
		app.Certain = true
		return app, true
	}
	loc := r.Header.Get("Location")
	if (loc == "/graph" || loc == "/query") && goRedirect(r) && r.Header.Get("Server") == "" {
		return app, true
	}
	return webApp{}, false
}

func checkAlertmanager(_ *response, title string) (webApp, bool) {
	if title != "Alertmanager" {
		return webApp{}, false
	}
	return webApp{Product: "Alertmanager", Vendor: "prometheus", CPEProduct: "alertmanager", Certain: true}, true
}

// exporterVersion matches the build line of the exporter-toolkit landing
// page: "version=1.7.0, branch=HEAD, revision=...".
var exporterVersion = regexp.MustCompile(`version=([0-9][0-9A-Za-z.+-]*)`)

func checkExporterPage(r *response, title string) (webApp, bool) {
	if !strings.HasSuffix(title, " Exporter") || strings.ContainsAny(title, "<>") {
		return webApp{}, false
	}
	app := webApp{Service: nameExporter, Product: title}
	switch title {
	case "Node Exporter":
		app.Product, app.Certain = "node_exporter", true
	case "Blackbox Exporter":
		app.Product, app.Certain = "blackbox_exporter", true
	}
	if m := exporterVersion.FindSubmatch(r.Body); m != nil {
		app.Version = cleanVersion(string(m[1]))
	}
	return app, true
}

func checkTraefik(r *response, title string) (webApp, bool) {
	app := webApp{Product: "Traefik", Vendor: "traefik", CPEProduct: "traefik"}
	if title == "Traefik" {
		app.Certain = true
		return app, true
	}
	if r.Header.Get("Location") == "/dashboard/" && goRedirect(r) {
		return app, true
	}
	return webApp{}, false
}

func checkRabbitMQ(_ *response, title string) (webApp, bool) {
	if title != "RabbitMQ Management" {
		return webApp{}, false
	}
	return webApp{Product: "RabbitMQ management", Vendor: "vmware", CPEProduct: "rabbitmq", Certain: true}, true
}

// tomcatVersion matches "Apache Tomcat/10.1.16" in titles and error pages.
var tomcatVersion = regexp.MustCompile(`Apache Tomcat/([0-9][0-9A-Za-z.-]*)`)

func checkTomcat(r *response, title string) (webApp, bool) {
	m := tomcatVersion.FindStringSubmatch(title)
	if m == nil {
		m = tomcatVersion.FindStringSubmatch(string(r.Body[:min(len(r.Body), htmlScan)]))
	}
	if m == nil {
		return webApp{}, false
	}
	return webApp{Product: "Apache Tomcat", Version: cleanVersion(m[1]),
		Vendor: "apache", CPEProduct: "tomcat", Certain: true}, true
}

// pmaVersion matches the cache-busting suffix of phpMyAdmin's assets.
var pmaVersion = regexp.MustCompile(`\.(?:css|js)\?v=([0-9]+\.[0-9]+\.[0-9]+)`)

func checkPhpMyAdmin(r *response, title string) (webApp, bool) {
	if !strings.Contains(title, "phpMyAdmin") && !hasCookie(r, "phpMyAdmin") {
		return webApp{}, false
	}
	app := webApp{Product: "phpMyAdmin", Vendor: "phpmyadmin", CPEProduct: "phpmyadmin", Hosted: true, Certain: true}
	if m := pmaVersion.FindSubmatch(r.Body); m != nil {
		app.Version = string(m[1])
	}
	return app, true
}

func checkWordPress(r *response, _ string) (webApp, bool) {
	app := webApp{Product: "WordPress", Vendor: "wordpress", CPEProduct: "wordpress", Hosted: true, Certain: true}
	if gen := metaGenerator(r.Body); strings.HasPrefix(gen, "WordPress") {
		app.Version = cleanVersion(strings.TrimSpace(strings.TrimPrefix(gen, "WordPress")))
		return app, true
	}
	for _, l := range r.Header.Values("Link") {
		if strings.Contains(l, "https://api.w.org/") {
			return app, true
		}
	}
	if bytes.Contains(r.Body, []byte("/wp-content/")) || bytes.Contains(r.Body, []byte("/wp-includes/")) {
		app.Certain = false
		return app, true
	}
	return webApp{}, false
}

// hasCookie reports whether the response sets a cookie called name.
func hasCookie(r *response, name string) bool {
	for _, c := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, name+"=") {
			return true
		}
	}
	return false
}

func isRedirect(r *response) bool { return r.Status >= 300 && r.Status < 400 }
