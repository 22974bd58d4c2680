/*
 * diagnose_page.c - GET /diagnose: the diagnosis page, one self-contained
 * HTML document (inline style and script, no external asset, the CSP of
 * call.c allows nothing else).  Its script posts the name to POST
 * /diagnose of the same server with the API key typed in (or given in
 * the URL's fragment, #name=N&key=K, which never leaves the browser),
 * then fills the per-perspective table, the findings with their advice
 * and a world map: an equirectangular SVG of a coastline outline drawn
 * by hand, each configured perspective a dot at its coordinates,
 * coloured by what it saw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mpicd.h"

static const char page_head[] =
"<!doctype html>\n"
"<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
"<title>mpic diagnosis</title>\n"
"<style>\n"
"body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1100px}\n"
"h1{font-size:1.4em}\n"
"form{margin:1em 0}\n"
"input{font-size:1em;padding:.3em}\n"
"#name{width:24em}\n"
"table{border-collapse:collapse;margin:1em 0;font-size:.9em}\n"
"td,th{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}\n"
"tr.ok td:first-child{border-left:6px solid #2a2}\n"
"tr.warn td:first-child{border-left:6px solid #e90}\n"
"tr.fail td:first-child{border-left:6px solid #d22}\n"
"tr.none td:first-child{border-left:6px solid #888}\n"
"#verdict{font-weight:bold;font-size:1.1em}\n"
"#verdict.ready{color:#080}\n"
"#verdict.notready{color:#b00}\n"
".sev-error{color:#b00}\n"
".sev-warning{color:#a60}\n"
"svg{border:1px solid #ccc;background:#eef4fa}\n"
".land{fill:#dcdcc8;stroke:#aaa;stroke-width:.6}\n"
"circle.ok{fill:#2a2}circle.warn{fill:#e90}circle.fail{fill:#d22}circle.none{fill:#888}\n"
"circle{stroke:#000;stroke-width:.8}\n"
"</style></head>\n"
"<body>\n"
"<h1>mpic diagnosis</h1>\n"
"<p>A pre-flight before a renewal: what every perspective of this server\n"
"sees of a name (DNS, CAA, DNSSEC, TCP 80/443, an HTTP GET). A diagnosis is\n"
"not a validation and is not audited.</p>\n"
"<form id=\"form\">\n"
"<label>Name <input id=\"name\" name=\"name\" placeholder=\"www.example.com\" required></label>\n"
"<label>API key <input id=\"key\" type=\"password\" autocomplete=\"off\"></label>\n"
"<button id=\"go\" type=\"submit\">Diagnose</button>\n"
"</form>\n"
"<p id=\"verdict\">No diagnosis yet.</p>\n"
"<svg id=\"map\" width=\"720\" height=\"360\" viewBox=\"0 0 720 360\" role=\"img\" aria-label=\"perspectives on a world map\">\n"
"<g id=\"land\"></g><g id=\"dots\"></g></svg>\n"
"<table id=\"persp\"><thead><tr><th>Perspective</th><th>RIR</th><th>DNSSEC</th>\n"
"<th>Addresses</th><th>CAA</th><th>TCP open</th><th>HTTP</th><th>NS</th></tr></thead>\n"
"<tbody></tbody></table>\n"
"<h2>Findings</h2>\n"
"<ul id=\"findings\"></ul>\n"
"<script>\n"
"\"use strict\";\n"
"var PERSPECTIVES = ";

static const char page_tail[] =
";\n"
"/* A rough outline of the continents (lon, lat), drawn by hand: enough to\n"
" * place the perspectives, no tiles, no external assets. */\n"
"var LAND = [\n"
" [[-168,66],[-140,70],[-95,72],[-80,63],[-60,55],[-55,47],[-70,42],[-76,35],[-81,25],[-97,26],[-97,18],[-87,15],[-80,8],[-88,14],[-105,20],[-117,32],[-124,40],[-124,48],[-135,58],[-152,59],[-165,60]],\n"
" [[-80,8],[-72,12],[-60,10],[-50,0],[-35,-6],[-39,-15],[-48,-26],[-58,-35],[-65,-42],[-68,-55],[-74,-50],[-72,-35],[-71,-18],[-81,-5]],\n"
" [[-45,60],[-20,70],[-25,82],[-60,82],[-70,76],[-55,64]],\n"
" [[-10,36],[-9,43],[-2,48],[-5,58],[8,63],[20,70],[40,68],[60,70],[90,76],[140,72],[180,68],[170,60],[142,52],[130,42],[122,30],[108,20],[105,10],[100,14],[92,22],[80,15],[72,20],[58,25],[50,30],[35,30],[28,40],[20,40],[12,44],[3,43]],\n"
" [[-17,21],[-5,36],[10,37],[32,31],[35,28],[43,12],[51,12],[40,-15],[33,-26],[20,-35],[15,-27],[12,-5],[9,4],[-8,5],[-17,14]],\n"
" [[114,-22],[122,-18],[130,-12],[137,-12],[142,-11],[146,-19],[153,-26],[150,-37],[141,-38],[131,-31],[115,-34]],\n"
" [[131,31],[135,34],[140,36],[141,41],[143,44],[140,45],[138,38],[132,34]],\n"
" [[-5,50],[1,51],[0,53],[-3,58],[-6,56],[-5,52]],\n"
" [[166,-46],[174,-41],[178,-38],[173,-35],[172,-41],[168,-46]]\n"
"];\n"
"function x(lon){return (lon+180)*2;}\n"
"function y(lat){return (90-lat)*2;}\n"
"var SVGNS=\"http://www.w3.org/2000/svg\";\n"
"function drawLand(){\n"
" var g=document.getElementById(\"land\");\n"
" LAND.forEach(function(poly){\n"
"  var p=document.createElementNS(SVGNS,\"polygon\");\n"
"  p.setAttribute(\"class\",\"land\");\n"
"  p.setAttribute(\"points\",poly.map(function(c){return x(c[0])+\",\"+y(c[1]);}).join(\" \"));\n"
"  g.appendChild(p);\n"
" });\n"
"}\n"
"function drawDots(state){\n"
" var g=document.getElementById(\"dots\");\n"
" while(g.firstChild)g.removeChild(g.firstChild);\n"
" PERSPECTIVES.forEach(function(p){\n"
"  var c=document.createElementNS(SVGNS,\"circle\");\n"
"  c.setAttribute(\"cx\",x(p.lon));c.setAttribute(\"cy\",y(p.lat));c.setAttribute(\"r\",6);\n"
"  c.setAttribute(\"id\",\"dot-\"+p.code);\n"
"  c.setAttribute(\"class\",(state&&state[p.code])||\"none\");\n"
"  var t=document.createElementNS(SVGNS,\"title\");\n"
"  t.textContent=p.code+\" (\"+p.rir+\"): \"+((state&&state[p.code])||\"not diagnosed\");\n"
"  c.appendChild(t);g.appendChild(c);\n"
" });\n"
"}\n"
"function td(tr,text){var e=document.createElement(\"td\");e.textContent=text;tr.appendChild(e);return e;}\n"
"function addrs(o){\n"
" var out=[];[\"a\",\"aaaa\"].forEach(function(f){\n"
"  var r=o[f]||{};if(r.failure)out.push(f+\": \"+r.failure);\n"
"  (r.addresses||[]).forEach(function(a){out.push(a);});});\n"
" return out.join(\" \")||\"-\";\n"
"}\n"
"function render(ans){\n"
" var state={};\n"
" (ans.perspectives||[]).forEach(function(o){state[o.perspective_code]=o.error?\"none\":\"ok\";});\n"
" (ans.findings||[]).forEach(function(f){\n"
"  (f.perspectives||[]).forEach(function(p){\n"
"   var s=f.severity===\"error\"?\"fail\":\"warn\";\n"
"   if(state[p.code]===\"none\")return;\n"
"   if(state[p.code]!==\"fail\")state[p.code]=s;});\n"
" });\n"
" var tb=document.querySelector(\"#persp tbody\");\n"
" while(tb.firstChild)tb.removeChild(tb.firstChild);\n"
" (ans.perspectives||[]).forEach(function(o){\n"
"  var tr=document.createElement(\"tr\");\n"
"  tr.setAttribute(\"data-code\",o.perspective_code);\n"
"  tr.className=state[o.perspective_code]||\"none\";\n"
"  td(tr,o.perspective_code);td(tr,o.rir);\n"
"  if(o.error){var e=td(tr,\"no answer: \"+o.error);e.colSpan=6;tb.appendChild(tr);return;}\n"
"  td(tr,(o.a||{}).dnssec||\"?\");td(tr,addrs(o));\n"
"  var caa=o.caa||{};td(tr,caa.passed?\"permits\":caa.completed?\"forbids\":\"error\");\n"
"  var open=(o.tcp||[]).filter(function(t){return t.open;}).length;\n"
"  td(tr,open+\"/\"+(o.tcp||[]).length);\n"
"  var st=((o.http||{}).details||{}).response_status_code;\n"
"  td(tr,st?String(st):\"-\");\n"
"  td(tr,(o.ns||{}).answered?\"answered\":\"not answered\");\n"
"  tb.appendChild(tr);\n"
" });\n"
" var ul=document.getElementById(\"findings\");\n"
" while(ul.firstChild)ul.removeChild(ul.firstChild);\n"
" (ans.findings||[]).forEach(function(f){\n"
"  var li=document.createElement(\"li\");\n"
"  li.setAttribute(\"data-code\",f.code);\n"
"  li.className=\"sev-\"+f.severity;\n"
"  var b=document.createElement(\"b\");b.textContent=f.code+\" [\"+f.severity+\"]\";\n"
"  li.appendChild(b);\n"
"  li.appendChild(document.createTextNode(\": \"+f.summary+\" Perspectives: \"+\n"
"   (f.perspectives||[]).map(function(p){return p.code+\" (\"+p.rir+\")\";}).join(\", \")+\". \"));\n"
"  var a=document.createElement(\"i\");a.textContent=\"Advice: \"+f.advice;li.appendChild(a);\n"
"  ul.appendChild(li);\n"
" });\n"
" if(!(ans.findings||[]).length){var li=document.createElement(\"li\");li.textContent=\"none\";ul.appendChild(li);}\n"
" var v=document.getElementById(\"verdict\");\n"
" v.textContent=ans.name+\": \"+ans.verdict;\n"
" v.className=ans.ready?\"ready\":\"notready\";\n"
" drawDots(state);\n"
" document.body.setAttribute(\"data-state\",\"done\");\n"
"}\n"
"function run(name,key){\n"
" var v=document.getElementById(\"verdict\");\n"
" v.textContent=\"Diagnosing \"+name+\"…\";v.className=\"\";\n"
" document.body.setAttribute(\"data-state\",\"running\");\n"
" var h={\"Content-Type\":\"application/json\"};if(key)h[\"x-api-key\"]=key;\n"
" fetch(\"diagnose\",{method:\"POST\",headers:h,body:JSON.stringify({name:name})})\n"
" .then(function(r){return r.json().then(function(j){return [r.status,j];});})\n"
" .then(function(a){\n"
"  if(a[0]!==200){var is=(a[1].validation_issues||[])[0]||{};v.textContent=\"Error \"+a[0]+\": \"+(is.message||a[1].message||a[1].error||\"\");v.className=\"notready\";\n"
"   document.body.setAttribute(\"data-state\",\"error\");return;}\n"
"  render(a[1]);})\n"
" .catch(function(e){v.textContent=\"Error: \"+e;v.className=\"notready\";document.body.setAttribute(\"data-state\",\"error\");});\n"
"}\n"
"drawLand();drawDots(null);\n"
"document.getElementById(\"form\").addEventListener(\"submit\",function(ev){\n"
" ev.preventDefault();\n"
" run(document.getElementById(\"name\").value.trim(),document.getElementById(\"key\").value);\n"
"});\n"
"/* #name=N&key=K (the fragment never leaves the browser): fill and run */\n"
"(function(){\n"
" var q=new URLSearchParams(location.hash.slice(1));\n"
" if(q.get(\"key\"))document.getElementById(\"key\").value=q.get(\"key\");\n"
" if(q.get(\"name\")){document.getElementById(\"name\").value=q.get(\"name\");run(q.get(\"name\"),q.get(\"key\"));}\n"
"})();\n"
"</script>\n"
"</body></html>\n";

/* The perspectives (code, RIR, location) as a JSON array safe inside a
 * <script>: "<" escaped, so no text of the configuration ends it. */
static char *
perspectives_json(const struct mpic_settings *s)
{
	json_t *a = json_array();
	char *text = NULL, *out = NULL, *p;
	size_t i, n = 0;

	for (i = 0; a != NULL && i < s->n_perspectives; i++) {
		const struct mpic_settings_persp *sp = &s->perspectives[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:f, s:f}",
		    "code", sp->code, "rir", sp->rir, "lat", sp->lat, "lon",
		    sp->lon));
	}
	if (a == NULL || (text = json_dumps(a, JSON_COMPACT)) == NULL)
		goto out;
	for (p = text; *p != '\0'; p++)
		n += *p == '<' ? 6 : 1;
	if ((out = malloc(n + 1)) == NULL)
		goto out;
	for (p = text, n = 0; *p != '\0'; p++) {
		if (*p == '<') {
			memcpy(out + n, "\\u003c", 6);
			n += 6;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
out:
	free(text);
	json_decref(a);
	return out;
}

char *
mpicd_diagnose_page(struct mpicd *d, int *status, size_t *len)
{
	char *js = perspectives_json(d->cfg), *page = NULL;
	size_t n;

	(void)status;
	if (js == NULL)
		return NULL;
	n = sizeof(page_head) - 1 + strlen(js) + sizeof(page_tail) - 1;
	if ((page = malloc(n + 1)) != NULL) {
		snprintf(page, n + 1, "%s%s%s", page_head, js, page_tail);
		*len = n;
	}
	free(js);
	return page;
}
