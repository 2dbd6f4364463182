// The service discovery azure-devops-node-api performs before any call (see
// ../shared/reference/azure-next.md §8): `OPTIONS /{org}/_apis/{area}` lists the area's resource
// locations (id, route template, versions), `GET /{org}/_apis/ResourceAreas` names the base URL of
// each area. Ids are Azure DevOps' own (the client looks locations up by them).

/** The highest api-version this server speaks, and what it calls released. */
export const MAX_VERSION = '7.1';
const MIN_VERSION = '1.0';

export const AREAS = {
  location: { id: 'e81700f7-3be2-46de-8624-2eb35882fcaa', name: 'Location' },
  git: { id: '4e080c62-fa21-4fbc-8fef-2a10a2b38049', name: 'git' },
  policy: { id: 'fb13a388-40dd-4a04-b530-013a739c72ef', name: 'policy' },
  core: { id: '79134c72-4a58-4b42-976c-04e7115f32bf', name: 'core' },
};

const location = (id, area, resourceName, routeTemplate, resourceVersion = 1) => ({
  id,
  area,
  resourceName,
  routeTemplate,
  resourceVersion,
  minVersion: MIN_VERSION,
  maxVersion: MAX_VERSION,
  releasedVersion: MAX_VERSION,
});

/** The locations of the resources this server serves, per area name (lower case). */
const LOCATIONS = {
  location: [location(AREAS.location.id, 'Location', 'ResourceAreas', '_apis/{resource}/{areaId}')],
  git: [
    location('225f7195-f9c7-4d14-ab28-a83f7ff77e1f', 'git', 'repositories', '{project}/_apis/{area}/{resource}/{repositoryId}'),
    location(
      '2d874a60-a811-4f62-9c9f-963a6ea0a55b',
      'git',
      'refs',
      '{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*filter}',
    ),
    location(
      '9946fd70-0d40-406e-b686-b4744cbbcc37',
      'git',
      'pullRequests',
      '{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{pullRequestId}',
    ),
    location('01a46dea-7d46-4d40-bc84-319e7c260d99', 'git', 'pullRequests', '{project}/_apis/{area}/{resource}/{pullRequestId}'),
  ],
  policy: [],
  core: [],
};

/** Answers a discovery request; false when the request is not one. */
export function discovery(req, res, { orgUrl, areaPath }) {
  const json = (status, body) => res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  if (req.method === 'OPTIONS') {
    const locations = LOCATIONS[areaPath.toLowerCase()];
    if (!locations) return false;
    json(200, { count: locations.length, value: locations });
    return true;
  }
  if (req.method === 'GET' && areaPath.toLowerCase() === 'resourceareas') {
    const value = Object.values(AREAS).map((a) => ({ id: a.id, name: a.name, locationUrl: `${orgUrl}/` }));
    json(200, { count: value.length, value });
    return true;
  }
  return false;
}
