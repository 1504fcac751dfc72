import { expect } from 'chai';
import { SignJWT } from 'jose';
import { parseLaunch, viewerModeFor } from '../../src/standalone/iid-params.js';

/** A signed JWT as a gateway issues it (the page never checks the signature: the gateway does). */
const jwt = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('15m').sign(new TextEncoder().encode('a-secret-of-32-bytes-for-hs-256!'));

const launch = (query: string, token: string) => parseLaunch(`?requestType=STUDY&accessionNumber=A1&dicomweb=/d${query}`, `#token=${token}`);

describe("the standalone page's viewer mode", () => {
  it("is patient for a token whose purpose is patient, clinician for other purposes", async () => {
    expect(viewerModeFor(launch('', await jwt({ purpose: 'patient', studies: ['1.2.3'] })).launch)).to.equal('patient');
    expect(viewerModeFor(launch('', await jwt({ purpose: 'clinician' })).launch)).to.equal('clinician');
    expect(viewerModeFor(launch('', await jwt({ purpose: 'consult' })).launch)).to.equal('clinician');
    expect(viewerModeFor(launch('', await jwt({})).launch)).to.equal('clinician');
  });

  it('is clinician for a token that is not a JWT, and without a token', () => {
    expect(viewerModeFor(launch('', 'opaque-session-token').launch)).to.equal('clinician');
    expect(viewerModeFor(launch('', 'a.b.c').launch)).to.equal('clinician');
    expect(viewerModeFor(launch('', '').launch)).to.equal('clinician');
  });

  it('follows a mode parameter over the token', async () => {
    const patientToken = await jwt({ purpose: 'patient' });
    const { launch: clinician, problems } = launch('&mode=clinician', patientToken);
    expect(problems).to.deep.equal([]);
    expect(viewerModeFor(clinician)).to.equal('clinician');
    expect(viewerModeFor(launch('&mode=patient', 'opaque').launch)).to.equal('patient');
  });

  it('refuses a mode it does not know', () => {
    expect(launch('&mode=admin', 'opaque').problems).to.deep.equal([{ key: 'iidMalformed', parameter: 'mode' }]);
    expect(launch('&mode=', 'opaque').problems).to.deep.equal([{ key: 'iidMalformed', parameter: 'mode' }]);
  });
});
