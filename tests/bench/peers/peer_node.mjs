#!/usr/bin/env node
/*
 * The Node.js peer of ci/bench: the work of `relapi tag-all` written the way
 * a release script would be with @gitbeaker/rest and @octokit/rest, every
 * repository at once (Promise.all).
 *
 *     node tests/bench/peers/peer_node.mjs BENCH_JSON
 *
 * BENCH_JSON is written by tests/bench/gen_ecosystem.py. The forges are
 * RELAPI_GITLAB_URL (the GitLab server) with GITLAB_TOKEN and
 * RELAPI_GITHUB_URL (the GitHub API) with GITHUB_TOKEN, as for relapi.
 * The libraries (exact versions in package.json) are installed by ci/bench
 * with `npm ci` into node_modules/ here.
 *
 * First every repository is checked for the tag (it must exist nowhere),
 * then all are released at once, each: its version files read at the branch
 * head, the values set with the pattern of each edit, one commit of all
 * edited files (GitLab: the commits API with one action per file; GitHub:
 * the contents API for one file, tree-commit-ref of the git data API for
 * more), and the annotated tag "Release VERSION" on exactly that commit (on
 * the branch head when there is nothing to edit). Exit 0 when all are
 * released, 3 when a tag exists already, 1 on any other failure. Tokens are
 * never printed.
 */

import { readFileSync } from 'node:fs';
import { Gitlab } from '@gitbeaker/rest';
import { Octokit } from '@octokit/rest';

// ---------------------------------------------------------------- edits

/* text with the one match of pattern's group replaced by value */
function setValue(text, pattern, value) {
  const hits = [...text.matchAll(new RegExp(pattern, 'gmd'))];
  if (hits.length !== 1) throw new Error(`pattern ${pattern} matches ${hits.length} times`);
  const [start, end] = hits[0].indices[1];
  return text.slice(0, start) + value + text.slice(end);
}

/* {path: new text} of the files the edits change */
function edited(texts, edits, version) {
  const out = { ...texts };
  for (const e of edits) out[e.file] = setValue(out[e.file], e.pattern, version);
  return Object.fromEntries(Object.entries(out).filter(([p, t]) => t !== texts[p]));
}

const editedFiles = (edits) => [...new Set(edits.map((e) => e.file))];
const decode = (b64) => Buffer.from(b64, 'base64').toString('utf8');
const statusOf = (err) => err.status ?? err.cause?.response?.status;

// ---------------------------------------------------------------- GitLab

const gitlab = {
  async tagExists(api, repo, tag) {
    try {
      await api.Tags.show(repo.path, tag);
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  },

  async release(api, repo, version, tagMessage) {
    const files = editedFiles(repo.edits);
    let head;
    if (files.length === 0) {
      head = (await api.Branches.show(repo.path, repo.branch)).commit.id;
    } else {
      const got = await Promise.all(files.map((p) => api.RepositoryFiles.show(repo.path, p, repo.branch)));
      const texts = Object.fromEntries(got.map((f, i) => [files[i], decode(f.content)]));
      const last = Object.fromEntries(got.map((f, i) => [files[i], f.last_commit_id]));
      const actions = Object.entries(edited(texts, repo.edits, version)).map(([p, t]) => (
        { action: 'update', filePath: p, content: t, lastCommitId: last[p] }));
      head = (await api.Commits.create(repo.path, repo.branch, repo.message, actions)).id;
    }
    await api.Tags.create(repo.path, version, head, { message: tagMessage });
  },
};

// ---------------------------------------------------------------- GitHub

function ownerRepo(repo) {
  const [owner, name] = repo.path.split('/');
  return { owner, repo: name };
}

async function githubCommitOne(octokit, repo, path, version) {
  const where = ownerRepo(repo);
  const { data: f } = await octokit.rest.repos.getContent({ ...where, path, ref: repo.branch });
  const next = edited({ [path]: decode(f.content) }, repo.edits, version);
  const { data } = await octokit.rest.repos.createOrUpdateFileContents({
    ...where, path, message: repo.message, sha: f.sha, branch: repo.branch,
    content: Buffer.from(next[path], 'utf8').toString('base64'),
  });
  return data.commit.sha;
}

async function githubCommitMany(octokit, repo, files, version) {
  const where = ownerRepo(repo);
  const { data: branch } = await octokit.rest.repos.getBranch({ ...where, branch: repo.branch });
  const head = branch.commit.sha;
  const got = await Promise.all(files.map((path) => octokit.rest.repos.getContent({ ...where, path, ref: head })));
  const texts = Object.fromEntries(got.map(({ data }, i) => [files[i], decode(data.content)]));
  const tree = Object.entries(edited(texts, repo.edits, version)).map(([path, content]) => (
    { path, mode: '100644', type: 'blob', content }));
  const { data: t } = await octokit.rest.git.createTree({
    ...where, base_tree: branch.commit.commit.tree.sha, tree });
  const { data: c } = await octokit.rest.git.createCommit({
    ...where, message: repo.message, tree: t.sha, parents: [head] });
  await octokit.rest.git.updateRef({ ...where, ref: `heads/${repo.branch}`, sha: c.sha });
  return c.sha;
}

const github = {
  async tagExists(octokit, repo, tag) {
    try {
      await octokit.rest.git.getRef({ ...ownerRepo(repo), ref: `tags/${tag}` });
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  },

  async release(octokit, repo, version, tagMessage) {
    const files = editedFiles(repo.edits);
    let sha;
    if (files.length === 0) {
      sha = (await octokit.rest.repos.getBranch({ ...ownerRepo(repo), branch: repo.branch })).data.commit.sha;
    } else if (files.length === 1) {
      sha = await githubCommitOne(octokit, repo, files[0], version);
    } else {
      sha = await githubCommitMany(octokit, repo, files, version);
    }
    const where = ownerRepo(repo);
    const { data: tag } = await octokit.rest.git.createTag({
      ...where, tag: version, message: tagMessage, object: sha, type: 'commit' });
    await octokit.rest.git.createRef({ ...where, ref: `refs/tags/${version}`, sha: tag.sha });
  },
};

// ---------------------------------------------------------------- the release

const FORGES = { gitlab, github };

function clients() {
  return {
    gitlab: new Gitlab({ host: process.env.RELAPI_GITLAB_URL, token: process.env.GITLAB_TOKEN }),
    github: new Octokit({ baseUrl: process.env.RELAPI_GITHUB_URL, auth: process.env.GITHUB_TOKEN,
      log: { debug() {}, info() {}, warn() {}, error() {} } }),
  };
}

async function main() {
  const bench = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const { version, tag_message: tagMessage, repos } = bench;
  const api = clients();
  const exists = await Promise.all(repos.map((r) => FORGES[r.forge].tagExists(api[r.forge], r, version)));
  const existing = repos.filter((_, i) => exists[i]).map((r) => r.path);
  if (existing.length) {
    process.stderr.write(`peer_node: tag ${version} exists in ${existing.join(', ')}\n`);
    return 3;
  }
  await Promise.all(repos.map((r) => FORGES[r.forge].release(api[r.forge], r, version, tagMessage)));
  return 0;
}

main().then((code) => { process.exitCode = code; }, (err) => {
  process.stderr.write(`peer_node: ${err.name}: ${err.message} (status ${statusOf(err) ?? 'none'})\n`);
  process.exitCode = 1;
});
